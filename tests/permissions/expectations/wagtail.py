"""Wagtail: the page tree and documents (front end), and the admin (its roots).

Wagtail's admin is entered only with `wagtailadmin.access_admin` (facilitators
and administrators, from the role groups the migrations create) in a session
that passed the second factor; its own log-in, log-out and password pages are
replaced by ciic.urls (see site.py)."""

from ..policy import (
    ADMINISTRATOR,
    FACILITATOR,
    NOT_FOUND,
    OK,
    Area,
    Case,
    cases,
    public,
    redirect,
    rule,
    staff,
)
from .site import SIGN_IN_ELSEWHERE

EDITORS = {FACILITATOR, ADMINISTRATOR}
# Wagtail's own answer inside the admin to a facilitator: "no permission", back
# to the dashboard; the (superuser) administrator manages users and groups.
ONLY_ADMINISTRATORS = {FACILITATOR: redirect("/cms-admin/"), ADMINISTRATOR: OK}

EXPECTATIONS = {
    "wagtail_serve": cases(
        Case(public(), path=lambda w: "/", label="home"),
        Case(public(NOT_FOUND), path=lambda w: "/no-such-page/", label="unknown page"),
    ),
    # Shadowed by ciic.urls: the same addresses lead to allauth.
    "wagtailcore_login": rule(SIGN_IN_ELSEWHERE),
    "wagtailcore_authenticate_with_password": rule(
        SIGN_IN_ELSEWHERE, lambda w: {"page_view_restriction_id": 1, "page_id": w.home_page.pk}
    ),
    "wagtaildocs_authenticate_with_password": rule(
        SIGN_IN_ELSEWHERE, lambda w: {"restriction_id": 1}
    ),
    "wagtaildocs_serve": rule(public(), path=lambda w: w.document.url),
}

AREAS = {
    "cms-admin/": Area(
        paths=lambda w: [
            "/cms-admin/",
            "/cms-admin/pages/",
            f"/cms-admin/pages/{w.home_page.pk}/",
            f"/cms-admin/pages/{w.home_page.pk}/edit/",
            "/cms-admin/images/",
            "/cms-admin/documents/",
            "/cms-admin/users/",
            "/cms-admin/groups/",
            "/cms-admin/account/",
            "/cms-admin/no-such-page/",
        ],
        policy=staff(EDITORS),
        extra={
            "/cms-admin/users/": staff(EDITORS, ok=ONLY_ADMINISTRATORS),
            "/cms-admin/groups/": staff(EDITORS, ok=ONLY_ADMINISTRATORS),
            "/cms-admin/no-such-page/": staff(EDITORS, ok=NOT_FOUND),
        },
    ),
}
