from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CmsConfig(AppConfig):
    name = "cms"
    verbose_name = _("Cms")

    def ready(self) -> None:
        from workshops.pages import editorial_page_finder_set

        from .models import workshop_page_for

        editorial_page_finder_set(workshop_page_for)
