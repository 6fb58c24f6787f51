"""Editorial pages. Participation data are plain Django models in the feature
apps; pages read them through those apps' selectors."""

from typing import Any

from django.db import models
from django.db.models import prefetch_related_objects
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.fields import StreamField
from wagtail.images.blocks import ImageChooserBlock
from wagtail.models import Page

from ciic.translated import in_language

from .blocks import BodyStreamBlock


class EnglishVersion(models.Model):
    """The English version of a page, written by staff in the same editor:
    English pages show it where it is filled in, the Romanian text otherwise."""

    title_en = models.CharField(_("title in English"), max_length=255, blank=True)
    intro_en = models.TextField(_("introduction in English"), blank=True)
    body_en = StreamField(BodyStreamBlock(), blank=True, verbose_name=_("body in English"))

    english_panels = [
        MultiFieldPanel(
            [FieldPanel("title_en"), FieldPanel("intro_en"), FieldPanel("body_en")],
            heading=_("English version"),
            help_text=_("Shown on the English pages; empty fields show the Romanian text."),
        )
    ]

    class Meta:
        abstract = True

    @property
    def display_title(self) -> str:
        return in_language(self.title, self.title_en)  # type: ignore[attr-defined]

    @property
    def display_seo_title(self) -> str:
        """The browser title: the SEO title in Romanian, the English title in English."""
        return in_language(self.seo_title or self.title, self.title_en)  # type: ignore[attr-defined]

    @property
    def display_intro(self) -> str:
        return in_language(self.intro, self.intro_en)  # type: ignore[attr-defined]

    @property
    def display_body(self) -> Any:
        return in_language(self.body, self.body_en)  # type: ignore[attr-defined]


class HomePage(Page, EnglishVersion):
    intro = models.TextField(_("introduction"), blank=True)
    body = StreamField(BodyStreamBlock(), blank=True, verbose_name=_("body"))

    content_panels = [
        *Page.content_panels,
        FieldPanel("intro"),
        FieldPanel("body"),
        *EnglishVersion.english_panels,
    ]

    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["cms.InformationPage", "cms.CallForProposalsPage", "cms.WorkshopIndexPage"]
    max_count = 1

    class Meta:
        verbose_name = _("home page")

    def __str__(self) -> str:
        return self.title

    LATEST_COUNT = 6

    def get_context(self, request, *args, **kwargs):  # type: ignore[no-untyped-def]
        """The current call (its page, counters and whether this visitor may
        submit) and the latest public proposals, read through the selectors."""
        from proposals import selectors as proposal_selectors

        context = super().get_context(request, *args, **kwargs)
        call = proposal_selectors.call_current()
        if call is not None:
            context.update(
                current_call=call,
                call_page=CallForProposalsPage.objects.live().filter(call=call).first(),
                counters=proposal_selectors.call_counters(call=call),
                timeline=proposal_selectors.call_timeline(call=call),
                submit_status=proposal_selectors.call_submit_status(call=call, user=request.user),
            )
        context["past_calls"] = list(proposal_selectors.calls_with_results()[:3])
        latest = list(proposal_selectors.proposal_list(sort="newest")[: self.LATEST_COUNT])
        prefetch_related_objects(latest, "images")  # the cards' first photos
        context["latest_proposals"] = latest
        return context


class InformationPage(Page, EnglishVersion):
    intro = models.TextField(_("introduction"), blank=True)
    body = StreamField(BodyStreamBlock(), blank=True, verbose_name=_("body"))

    content_panels = [
        *Page.content_panels,
        FieldPanel("intro"),
        FieldPanel("body"),
        *EnglishVersion.english_panels,
    ]

    parent_page_types = ["cms.HomePage", "cms.InformationPage"]
    subpage_types = ["cms.InformationPage"]

    class Meta:
        verbose_name = _("information page")

    def __str__(self) -> str:
        return self.title


class CallForProposalsPage(Page, EnglishVersion):
    """Presents one call for proposals: editorial text, the phase timeline,
    live counters and the "submit a proposal" action (or why it is not open
    to this visitor). The call itself is a `proposals.Call`."""

    intro = models.TextField(_("introduction"), blank=True)
    body = StreamField(BodyStreamBlock(), blank=True, verbose_name=_("body"))
    call = models.ForeignKey(
        "proposals.Call",
        verbose_name=_("call for proposals"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    content_panels = [
        *Page.content_panels,
        FieldPanel("call"),
        FieldPanel("intro"),
        FieldPanel("body"),
        *EnglishVersion.english_panels,
    ]

    parent_page_types = ["cms.HomePage"]
    subpage_types = ["cms.InformationPage"]
    template = "cms/call_for_proposals_page.html"

    class Meta:
        verbose_name = _("call for proposals page")

    def __str__(self) -> str:
        return self.title

    def get_context(self, request, *args, **kwargs):  # type: ignore[no-untyped-def]
        from proposals import selectors as proposal_selectors

        context = super().get_context(request, *args, **kwargs)
        call = self.call
        context.update(
            call=call,
            phase=call.phase,
            timeline=proposal_selectors.call_timeline(call=call),
            counters=proposal_selectors.call_counters(call=call),
            submit_status=proposal_selectors.call_submit_status(call=call, user=request.user),
            categories=proposal_selectors.call_categories(call=call),
        )
        return context


class WorkshopIndexPage(Page):
    """Editorial text of the workshops programme. The list itself (upcoming
    workshops with a map, past ones with their summaries) is the stable page
    `/workshops/`, which shows this page's text; visiting this page leads there."""

    intro = models.TextField(_("introduction"), blank=True)
    body = StreamField(BodyStreamBlock(), blank=True, verbose_name=_("body"))

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("body")]

    parent_page_types = ["cms.HomePage"]
    subpage_types = ["cms.WorkshopPage"]
    max_count = 1

    class Meta:
        verbose_name = _("workshops index page")

    def serve(self, request, *args, **kwargs):  # type: ignore[no-untyped-def]
        from django.shortcuts import redirect

        return redirect("workshops:index")

    def serve_preview(self, request, mode_name):  # type: ignore[no-untyped-def]
        from workshops.views import WorkshopIndexView

        return WorkshopIndexView.as_view()(request, page=self)


class WorkshopPage(Page):
    """Editorial content of one workshop (`workshops.Workshop`): rich body,
    materials to download, photos. Its stable address is `/workshops/<id>/`,
    which shows this page's content; visiting this page leads there."""

    workshop = models.OneToOneField(
        "workshops.Workshop",
        verbose_name=_("workshop"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    intro = models.TextField(_("introduction"), blank=True)
    body = StreamField(BodyStreamBlock(), blank=True, verbose_name=_("body"))
    materials = StreamField(
        [("document", DocumentChooserBlock(label=_("document")))],
        blank=True,
        verbose_name=_("materials to download"),
    )
    gallery = StreamField(
        [("image", ImageChooserBlock(label=_("photo")))],
        blank=True,
        verbose_name=_("photos after the event"),
    )

    content_panels = [
        *Page.content_panels,
        FieldPanel("workshop"),
        FieldPanel("intro"),
        FieldPanel("body"),
        FieldPanel("materials"),
        FieldPanel("gallery"),
    ]

    parent_page_types = ["cms.WorkshopIndexPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("workshop page")

    def serve(self, request, *args, **kwargs):  # type: ignore[no-untyped-def]
        from django.shortcuts import redirect

        return redirect(self.workshop.get_absolute_url())

    def serve_preview(self, request, mode_name):  # type: ignore[no-untyped-def]
        from workshops.views import WorkshopDetailView

        return WorkshopDetailView.as_view()(request, pk=self.workshop_id, page=self)


def workshop_page_for(workshop):  # type: ignore[no-untyped-def]
    """The live editorial page of `workshop`, or of the workshops index when None."""
    if workshop is None:
        return WorkshopIndexPage.objects.live().first()
    return WorkshopPage.objects.live().filter(workshop=workshop).first()
