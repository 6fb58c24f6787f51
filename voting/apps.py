from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VotingConfig(AppConfig):
    name = "voting"
    verbose_name = _("Voting")

    def ready(self) -> None:
        from ciic import personal_data

        personal_data.register(
            "voting",
            title=_("Ballots"),
            export="voting.services.personal_data_export",
            erase="voting.services.personal_data_erase",
        )
