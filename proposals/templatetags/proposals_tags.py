from decimal import Decimal

from django import template
from django.utils.safestring import SafeString

from proposals.markdown import markdown_render

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(value: str) -> SafeString:
    return markdown_render(value)


@register.filter
def ron(value: object) -> str:
    """1234567.5 -> '1.234.567,50', 250000 -> '250.000' (Romanian grouping; whole
    amounts without decimals), empty for None."""
    if value is None or value == "":
        return ""
    amount = Decimal(str(value))
    text = f"{amount:,.0f}" if amount == amount.to_integral_value() else f"{amount:,.2f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
