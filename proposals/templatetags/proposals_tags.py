from django import template
from django.utils.safestring import SafeString

from proposals.markdown import markdown_render

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(value: str) -> SafeString:
    return markdown_render(value)


@register.filter
def ron(value: object) -> str:
    """1234567.5 -> '1.234.567,50' (Romanian grouping), empty for None."""
    if value is None or value == "":
        return ""
    text = f"{float(str(value)):,.2f}"  # type: ignore[arg-type]
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
