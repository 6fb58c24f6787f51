from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkshopsConfig(AppConfig):
    name = "workshops"
    verbose_name = _("Workshops")

    def ready(self) -> None:
        from ciic import personal_data

        personal_data.register(
            "workshops",
            title=_("Workshops"),
            export="workshops.personal_data.export",
            erase="workshops.personal_data.erase",
        )
