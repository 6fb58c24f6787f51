"""What higher apps register with geo, so geo can serve them without
importing them:

- `located_models`: models that carry a located point and a zone. geo keeps
  their zone in step when zones change.
- `place_providers`: extra answers for the place search (e.g. the proposals
  app answers a proposal's reference). A provider is a callable, or the
  dotted path of one, taking `(query, *, limit)` and returning `PlaceHit`s."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any


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

    def __iter__(self) -> Iterator[LocatedModel]:
        return iter(list(self._items.values()))


located_models = _Registry()


@dataclass(frozen=True)
class PlaceHit:
    """One answer of the place search, as plain data (the JSON API's shape).
    `bbox` is (min_lon, min_lat, max_lon, max_lat) when the place has an
    extent worth fitting (a street, a zone); `url` is a path on our site."""

    name: str
    kind: str
    kind_label: str
    lat: float
    lon: float
    bbox: tuple[float, float, float, float] | None = None
    detail: str = ""
    url: str = ""
    inside_sector: bool | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "kind": self.kind,
            "kind_label": self.kind_label,
            "lat": round(self.lat, 6),
            "lon": round(self.lon, 6),
            "bbox": [round(v, 6) for v in self.bbox] if self.bbox else None,
            "detail": self.detail,
            "url": self.url,
            "inside_sector": self.inside_sector,
        }


PlaceProvider = Callable[..., list[PlaceHit]]


class _Providers:
    def __init__(self) -> None:
        self._items: dict[str, PlaceProvider | str] = {}

    def register(self, name: str, provider: PlaceProvider | str) -> None:
        self._items[name] = provider

    def __iter__(self) -> Iterator[PlaceProvider]:
        from django.utils.module_loading import import_string

        for provider in list(self._items.values()):
            yield import_string(provider) if isinstance(provider, str) else provider


place_providers = _Providers()
