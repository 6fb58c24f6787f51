"""Editorial pages. Participation data are plain Django models in the feature
apps; pages read them through those apps' selectors."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import StreamField
from wagtail.models import Page

from .blocks import BodyStreamBlock


class HomePage(Page):
    intro = models.TextField(_("introduction"), blank=True)
    body = StreamField(BodyStreamBlock(), blank=True, verbose_name=_("body"))

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("body")]

    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["cms.InformationPage", "cms.CallForProposalsPage"]
    max_count = 1

    class Meta:
        verbose_name = _("home page")

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
        context["latest_proposals"] = list(
            proposal_selectors.proposal_list(sort="newest")[: self.LATEST_COUNT]
        )
        return context


class InformationPage(Page):
    intro = models.TextField(_("introduction"), blank=True)
    body = StreamField(BodyStreamBlock(), blank=True, verbose_name=_("body"))

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("body")]

    parent_page_types = ["cms.HomePage", "cms.InformationPage"]
    subpage_types = ["cms.InformationPage"]

    class Meta:
        verbose_name = _("information page")


class CallForProposalsPage(Page):
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
    ]

    parent_page_types = ["cms.HomePage"]
    subpage_types = ["cms.InformationPage"]
    template = "cms/call_for_proposals_page.html"

    class Meta:
        verbose_name = _("call for proposals page")

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
