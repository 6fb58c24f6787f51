import re

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.utils.translation import gettext_lazy as _
from wagtail import blocks

# A path of this site: "/" then no second slash or backslash (both would make
# browsers go to another host), no spaces, quotes, angle brackets or controls.
_SITE_PATH = re.compile(r"/(?![/\\])[^\s\\<>\"'`\x00-\x1f\x7f]*")
_MAILTO = re.compile(r"mailto:(?P<to>[^?\s]+)(?:\?[^\s<>\"'`\x00-\x1f\x7f]*)?", re.IGNORECASE)
_TEL = re.compile(r"tel:\+?[0-9][0-9 ().-]*", re.IGNORECASE)
_WEB = URLValidator(schemes=["http", "https"])


def link_validate(value: str) -> None:
    """Accept only what is safe in an `href`: a path of this site ("/…"), a
    web address (http or https), an email address (mailto:) or a phone number
    (tel:). Everything else, a `javascript:` or `data:` URL above all, is refused."""
    invalid = ValidationError(
        _(
            "Enter a page of this site (starting with /, e.g. /proposals/), a web address "
            "(https://…), an email address (mailto:name@example.ro) or a phone number "
            "(tel:+40…)."
        ),
        code="invalid_link",
    )
    if _SITE_PATH.fullmatch(value):
        return
    if _MAILTO.fullmatch(value):
        for address in _MAILTO.fullmatch(value)["to"].split(","):  # type: ignore[index]
            try:
                validate_email(address)
            except ValidationError:
                raise invalid from None
        return
    if _TEL.fullmatch(value):
        if sum(c.isdigit() for c in value) >= 3:
            return
        raise invalid
    if value.lower().startswith(("http://", "https://")):
        try:
            _WEB(value)
        except ValidationError:
            raise invalid from None
        return
    raise invalid


def link_safe(value: object) -> str:
    """The link if it is one `link_validate` accepts, else "" (for content
    stored before the check, or written around it)."""
    text = str(value or "").strip()
    try:
        link_validate(text)
    except ValidationError:
        return ""
    return text


class LinkBlock(blocks.CharBlock):
    """A link to put in an `href`: see `link_validate`."""

    def __init__(self, required: bool = True, max_length: int = 300, **kwargs: object) -> None:
        kwargs.setdefault(
            "help_text",
            _("A page of this site (/proposals/), https://…, mailto:… or tel:…"),
        )
        super().__init__(
            required=required,
            max_length=max_length,
            validators=[link_validate],
            **kwargs,  # type: ignore[arg-type]
        )


class CallToActionValue(blocks.StructValue):
    @property
    def href(self) -> str:
        return link_safe(self.get("link_url"))


class CallToActionBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("title"), max_length=120)
    text = blocks.TextBlock(label=_("text"), required=False)
    link_url = LinkBlock(label=_("link"))
    link_text = blocks.CharBlock(label=_("link text"), max_length=60)

    class Meta:
        template = "blocks/call_to_action.html"
        icon = "pick"
        label = _("Call to action")
        value_class = CallToActionValue
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
