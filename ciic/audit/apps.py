from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "ciic.audit"
    label = "audit"
    verbose_name = _("Audit")

    def ready(self) -> None:
        from ciic import personal_data

        personal_data.register(
            "audit",
            title=_("Recorded actions"),
            export="ciic.audit.personal_data.export",
            erase="ciic.audit.personal_data.erase",
        )
