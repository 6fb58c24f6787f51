from django.utils.translation import gettext_lazy as _
from wagtail import blocks


class CallToActionBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("title"), max_length=120)
    text = blocks.TextBlock(label=_("text"), required=False)
    link_url = blocks.CharBlock(label=_("link"), max_length=300)
    link_text = blocks.CharBlock(label=_("link text"), max_length=60)

    class Meta:
        template = "blocks/call_to_action.html"
        icon = "pick"
        label = _("Call to action")
        preview_value = {
            "title": "Ai o idee pentru cartierul tău?",
            "text": "Propune un proiect pentru bugetul participativ al Sectorului 6.",
            "link_url": "/proposals/",
            "link_text": "Vezi propunerile",
        }


class BodyStreamBlock(blocks.StreamBlock):
    heading = blocks.CharBlock(
        form_classname="title", icon="title", template="blocks/heading.html", label=_("heading")
    )
    paragraph = blocks.RichTextBlock(
        icon="pilcrow",
        features=["bold", "italic", "link", "ol", "ul", "h3", "h4"],
        template="blocks/paragraph.html",
        label=_("paragraph"),
    )
    call_to_action = CallToActionBlock()
