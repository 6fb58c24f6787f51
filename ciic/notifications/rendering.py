"""Rendering an email from its templates, in one language.

Template naming (allauth's convention, so its emails and ours look alike):
`<prefix>_subject.txt` (one line), `<prefix>_message.txt` (the text, always)
and optionally `<prefix>_message.html`, e.g. `proposals/email/status_changed`.
The text templates are rendered without HTML escaping (they are plain text);
the HTML one with it. Every template gets `site_name`, `site_url`,
`current_site` (name and domain, from SITE_URL) and `language`, besides the
caller's context."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.template import Context, TemplateDoesNotExist
from django.template.loader import get_template, render_to_string
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from ciic.links import site_info


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    body: str
    html: str


def supported_language(code: str | None) -> str | None:
    """`code` if the site speaks it (or a variant of it), else None."""
    if not code:
        return None
    try:
        return translation.get_supported_language_variant(code)
    except LookupError:
        return None


def _render_text(name: str, context: Mapping[str, Any]) -> str:
    template = get_template(name)
    engine_template = getattr(template, "template", None)
    if engine_template is None:  # not the Django engine: it escapes as it likes
        return template.render(dict(context))
    return str(engine_template.render(Context(dict(context), autoescape=False)))


def email_render(template: str, context: Mapping[str, Any], *, language: str) -> RenderedEmail:
    """Render `template` (a prefix, see the module docstring) in `language`."""
    with translation.override(language):
        ctx: dict[str, Any] = {
            "site_name": _("CIIC Sector 6"),
            "site_url": settings.SITE_URL.rstrip("/"),
            "current_site": site_info(),
            "language": language,
            **context,
        }
        subject = " ".join(_render_text(f"{template}_subject.txt", ctx).split())
        body = _render_text(f"{template}_message.txt", ctx).strip() + "\n"
        try:
            html = render_to_string(f"{template}_message.html", ctx).strip()
        except TemplateDoesNotExist:
            html = ""
    prefix = getattr(settings, "EMAIL_SUBJECT_PREFIX", "")
    return RenderedEmail(subject=(prefix + subject)[:300], body=body, html=html)


# --- a context kept for rendering at delivery ----------------------------------------------

_DATETIME = "__datetime__"
_DATE = "__date__"


def context_dump(context: Mapping[str, Any]) -> dict[str, Any]:
    """`context` as JSON values, for `context_load` to give back at delivery:
    strings, numbers, booleans, None, lists, dicts (a model instance goes as a
    dict of what the template reads: `{"name": call.name}`), dates and aware
    datetimes (kept as such, so the `date` filter still formats them)."""

    def dump(value: Any) -> Any:
        if value is None or isinstance(value, str | bool | int | float):
            return value
        if isinstance(value, dt.datetime):
            if value.tzinfo is None:
                raise TypeError("naive datetime in an email's context")
            return {_DATETIME: value.isoformat()}
        if isinstance(value, dt.date):
            return {_DATE: value.isoformat()}
        if isinstance(value, Mapping):
            return {str(k): dump(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [dump(v) for v in value]
        raise TypeError(f"cannot keep a {type(value).__name__} in an email's context")

    return {str(k): dump(v) for k, v in context.items()}


def context_load(data: Mapping[str, Any]) -> dict[str, Any]:
    """The context `context_dump` kept."""

    def load(value: Any) -> Any:
        if isinstance(value, dict):
            if len(value) == 1 and _DATETIME in value:
                return dt.datetime.fromisoformat(value[_DATETIME])
            if len(value) == 1 and _DATE in value:
                return dt.date.fromisoformat(value[_DATE])
            return {k: load(v) for k, v in value.items()}
        if isinstance(value, list):
            return [load(v) for v in value]
        return value

    return {k: load(v) for k, v in data.items()}
