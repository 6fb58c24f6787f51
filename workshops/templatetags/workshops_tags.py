from typing import Any

from django import template

from workshops.selectors import registrations_of

register = template.Library()


@register.inclusion_tag("workshops/includes/my_workshops.html")
def my_workshops(user: Any) -> dict[str, Any]:
    """A person's workshop registrations, for their account page."""
    return {"registrations": list(registrations_of(user=user))}
