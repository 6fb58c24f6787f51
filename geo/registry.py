"""Models that carry a located point and a zone. Higher apps register them in
their AppConfig.ready(); geo then keeps their zone in step when zones change,
without importing those apps."""

from dataclasses import dataclass


@dataclass(frozen=True)
class LocatedModel:
    label: str  # "app_label.ModelName"
    lat: str
    lon: str
    zone: str


class _Registry:
    def __init__(self) -> None:
        self._items: dict[str, LocatedModel] = {}

    def register(self, label: str, *, lat: str, lon: str, zone: str) -> None:
        self._items[label] = LocatedModel(label=label, lat=lat, lon=lon, zone=zone)

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(list(self._items.values()))


located_models = _Registry()
