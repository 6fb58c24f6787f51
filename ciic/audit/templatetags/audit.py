from typing import Any

from django import template

from ciic.audit.events import event_sentence as _event_sentence

register = template.Library()


@register.filter
def event_sentence(event: Any) -> str:
    """{{ event|event_sentence }}: the readable sentence of an audit event."""
    return _event_sentence(event)
