from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CmsConfig(AppConfig):
    name = "cms"
    verbose_name = _("Cms")

    def ready(self) -> None:
        from django.db.models.signals import post_delete
        from wagtail.models import Page
        from wagtail.signals import page_published, page_unpublished, post_page_move

        def pages_changed(**kwargs: object) -> None:
            from ciic.cache import content_changed

            content_changed("pages")

        # Cached public pages (ciic.public_pages) follow the "pages" namespace.
        # weak=False: the receiver is a local function, kept by the signal only.
        for signal in (page_published, page_unpublished, post_page_move):
            signal.connect(
                pages_changed, weak=False, dispatch_uid=f"cms-pages-changed-{id(signal)}"
            )
        post_delete.connect(
            pages_changed, sender=Page, weak=False, dispatch_uid="cms-pages-deleted"
        )
        from workshops.pages import editorial_page_finder_set

        from .models import workshop_page_for

        editorial_page_finder_set(workshop_page_for)
