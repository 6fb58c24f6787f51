from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EligibilityConfig(AppConfig):
    name = "ciic.eligibility"
    label = "eligibility"
    verbose_name = _("Eligibility")

    def ready(self) -> None:
        from ciic import personal_data
        from geo.registry import located_models

        personal_data.register(
            "eligibility",
            title=_("Profile and verifications"),
            export="ciic.eligibility.personal_data.export",
            erase="ciic.eligibility.personal_data.erase",
        )
        # Zones re-imported: profiles with a located address move to the zone
        # that now covers it (geo.services.located_records_reassign).
        located_models.register(
            "eligibility.ResidentProfile",
            lat="residence_latitude",
            lon="residence_longitude",
            zone="residence_zone",
        )
