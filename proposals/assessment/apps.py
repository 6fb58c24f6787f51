from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentConfig(AppConfig):
    """The council's assessment of proposals: assignment, the assessment record,
    decisions (with four-eyes confirmation), appeals and the author's thread."""

    name = "proposals.assessment"
    label = "assessment"
    verbose_name = _("Assessment")

    def ready(self) -> None:
        from ciic import personal_data

        personal_data.register(
            "assessment",
            title=_("Messages with the council about your proposals"),
            export="proposals.assessment.selectors.personal_data_export",
            erase="proposals.assessment.services.personal_data_erase",
        )
