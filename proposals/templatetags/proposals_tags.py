from django import template
from django.utils.safestring import SafeString

from ciic.formatting import amount_format
from proposals.markdown import markdown_render

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(value: str) -> SafeString:
    return markdown_render(value)


@register.filter
def ron(value: object) -> str:
    """The amount in the active language's digits, without "lei": 250000 ->
    "250.000" in Romanian, "250,000" in English (see ciic.formatting)."""
    return amount_format(value)
