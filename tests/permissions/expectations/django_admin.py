"""Django's admin (ciic.admin_site): entered only by Django staff (the
administrator) in a session that passed the second factor, through allauth.

Each registered model is listed with what the administrator may do with it:
a model registered later without an entry here makes the walk fail, so that
someone decides who may read it (drafts of proposals, for instance, are not
readable here)."""

from __future__ import annotations

from ..policy import (
    ADMINISTRATOR,
    DENIED,
    NOT_FOUND,
    OK,
    Case,
    Outcome,
    Rule,
    cases,
    redirect,
    rule,
    staff,
)
from .site import SIGN_IN_ELSEWHERE


def admin(ok: Outcome = OK):  # type: ignore[no-untyped-def]
    return staff({ADMINISTRATOR}, ok=ok)


def model_admin(
    app: str, model: str, *, add: Outcome = OK, change: Outcome = OK, delete: Outcome = OK
) -> dict[str, Rule]:
    """The six URLs of a ModelAdmin, for some existing row of the model."""
    base = f"/django-admin/{app}/{model}/"

    def obj(w):  # type: ignore[no-untyped-def]
        return {"object_id": w.admin_object(app, model)}

    return {
        f"admin:{app}_{model}_changelist": rule(admin()),
        f"admin:{app}_{model}_add": rule(admin(add)),
        f"admin:{app}_{model}_history": rule(admin(), obj),
        f"admin:{app}_{model}_delete": rule(admin(delete), obj),
        f"admin:{app}_{model}_change": rule(admin(change), obj),
        f"django-admin/{app}/{model}/<path:object_id>/": rule(
            admin(redirect(base)), path=lambda w: base + obj(w)["object_id"] + "/"
        ),
    }


READ_ONLY = {"add": DENIED, "delete": DENIED}

EXPECTATIONS = {
    "admin:index": rule(admin()),
    "admin:login": rule(SIGN_IN_ELSEWHERE),
    "admin:logout": rule(admin()),  # allauth's log-out confirmation
    "admin:password_change": rule(admin(redirect("/accounts/password/change/"))),
    "admin:password_change_done": rule(admin(redirect("/accounts/password/change/"))),
    "admin:autocomplete": rule(admin(DENIED)),  # without a field to complete: refused
    "admin:jsi18n": rule(admin()),
    "admin:view_on_site": rule(
        admin(NOT_FOUND), lambda w: {"content_type_id": 999999, "object_id": 1}
    ),
    "admin:app_list": cases(
        *(
            Case(admin(), lambda w, app=app: {"app_label": app}, label=app)
            for app in ("audit", "proposals", "assessment", "auth", "account", "mfa")
        )
    ),
    "django-admin/(?P<url>.*)$": rule(
        admin(NOT_FOUND), path=lambda w: "/django-admin/no/such/page/"
    ),
    **model_admin("audit", "event", **READ_ONLY),
    # The outbox: staff may add a message by hand (it is delivered like any other).
    **model_admin("notifications", "outgoingemail"),
    # Scheduled jobs are moved by the services that own them: read-only here.
    **model_admin("jobs", "scheduledjob", add=DENIED, change=OK, delete=DENIED),
    # Calls change through the staff pages (call_create, call_update): read-only here.
    **model_admin("proposals", "call", **READ_ONLY),
    **model_admin("proposals", "proposal", **READ_ONLY),
    # The assessment's configuration (the assessments themselves change in the console).
    **model_admin("assessment", "department"),
    **model_admin("assessment", "callassessmentsettings"),
    **model_admin("assessment", "competencenote"),
    # Workshops change only through their services: read-only here.
    **model_admin("workshops", "programme", **READ_ONLY),
    **model_admin("workshops", "workshop", **READ_ONLY),
    **model_admin("workshops", "idea", **READ_ONLY),
    **model_admin("wagtaildocs", "document"),
    **model_admin("wagtailimages", "image"),
    **model_admin("taggit", "tag"),
    "admin:taggit_tag_merge_tags": rule(admin()),
    **model_admin("account", "emailaddress"),
    **model_admin("mfa", "authenticator"),
    **model_admin("usersessions", "usersession"),
    **model_admin("auth", "group"),
}

# A draft is not readable in the admin: it answers as for a proposal that does not exist.
EXPECTATIONS["admin:proposals_proposal_change"] = cases(
    Case(admin(), lambda w: {"object_id": w.public.pk}, label="public"),
    Case(admin(redirect("/django-admin/")), lambda w: {"object_id": w.draft.pk}, label="draft"),
)
EXPECTATIONS["admin:proposals_proposal_history"] = cases(
    Case(admin(), lambda w: {"object_id": w.public.pk}, label="public"),
    Case(admin(redirect("/django-admin/")), lambda w: {"object_id": w.draft.pk}, label="draft"),
)
