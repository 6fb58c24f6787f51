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
        # A deleted voter's CNP hash stays apart until the call's results are out.
        personal_data.register_identity_hold("voting", "voting.services.identity_hold")
