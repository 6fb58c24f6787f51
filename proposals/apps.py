from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProposalsConfig(AppConfig):
    name = "proposals"
    verbose_name = _("Proposals")

    def ready(self) -> None:
        from ciic import personal_data
        from geo.registry import located_models, place_providers

        personal_data.register(
            "proposals",
            title=_("Proposals"),
            export="proposals.personal_data.export",
            erase="proposals.personal_data.erase",
        )
        located_models.register("proposals.Proposal", lat="latitude", lon="longitude", zone="zone")
        place_providers.register("proposals", "proposals.places.proposal_places")
