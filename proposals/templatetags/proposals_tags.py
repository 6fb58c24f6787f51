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


@register.inclusion_tag("proposals/includes/my_proposals_summary.html", takes_context=True)
def my_proposals_summary(context: dict, user: object) -> dict:
    """The author's proposals on their account page: title, status, next step."""
    from django.utils import timezone

    from proposals.journey import proposal_next_step
    from proposals.predicates import proposal_is_editable_at
    from proposals.selectors import proposals_of_author

    now = timezone.now()
    rows = []
    for p in proposals_of_author(user=user)[:10]:
        can_edit = proposal_is_editable_at(p, now)
        rows.append({"proposal": p, "next_step": proposal_next_step(p, can_edit=can_edit)})
    return {"rows": rows}
