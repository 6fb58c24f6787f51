"""axe-core (WCAG 2.1 A/AA, serious and critical) on every page the resolver
knows under the public, resident and staff areas, in Romanian and in English:
as a visitor, as a verified resident and as an administrator who passed the
second factor (every staff page).

Pages without URL parameters are all walked; every pattern that takes
parameters is walked on real instances (`_instances`): a proposal, its
assessment and versions, the resident's draft at each step, a vote open now
(the ballot, its confirmation, the desk, the administrator's page), a vote
whose results are published (results, receipts, the results and
participation maps), a workshop (its page, console, edit, verification and
an idea's draft proposal), a resident's staff page, an outbox email, the
email confirmation and password reset links, and every live CMS page. A
pattern that answers no HTML page to a GET (a download, a POST-only action)
is listed in NOT_PAGES with the reason; `test_every_parameterised_pattern_is_walked`
fails when a new pattern is in neither list."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from .stack import log_in
from .test_accessibility import AXE, _violations

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.markup_audit]

# Not pages of ours: third-party consoles (Wagtail, Django admin, django-rq)
# and downloads, feeds, redirects and actions.
SKIP = re.compile(
    r"^(cms-admin/|django-admin/|django-rq/|_util/|documents/|i18n/|favicon|static/|media/)"
    r"|\.(ics|json|csv|pb|xml|txt|geojson|xlsx)$|logout|/reauthenticate/|^\^"
)
THIRD_PARTY = re.compile(r"^(cms-admin/|django-admin/|django-rq/|_util/|documents/)")

V, R, A = "visitor", "resident", "administrator"
EVERYONE = frozenset({V, R, A})
STAFF = frozenset({A})
RESIDENT = frozenset({R})

# Patterns with parameters walked on instances: who must be shown the page
# (200, HTML, no redirect); the others may be sent elsewhere.
PAGES: dict[str, frozenset[str]] = {
    "proposals:detail": EVERYONE,
    "proposals:start": RESIDENT,
    "proposals:edit": RESIDENT,
    "proposals:delete": RESIDENT,
    "proposals:staff_versions": STAFF,
    "proposals:staff_call_edit": STAFF,
    "assessment:detail": STAFF,
    "maps:results": EVERYONE,
    "maps:results_embed": EVERYONE,
    "maps:participation": EVERYONE,
    "maps:participation_embed": EVERYONE,
    "voting:ballot": RESIDENT | STAFF,
    "voting:ballot_done": RESIDENT,
    "voting:desk": STAFF,
    "voting:manage": STAFF,
    "voting:results_detail": EVERYONE,
    "voting:receipts": EVERYONE,
    "workshops:detail": EVERYONE,
    "workshops:console": STAFF,
    "workshops:edit": STAFF,
    "workshops:verify": STAFF,
    "workshops:idea_proposal": STAFF,
    "eligibility:staff_resident": STAFF,
    "notifications:staff_outbox_email": STAFF,
    "account_confirm_email": EVERYONE,
    "account_reset_password_from_key": frozenset({V}),
    "wagtail_serve": EVERYONE,
}
# A page reached through a redirect by design (the key moves out of the URL).
FOLLOWS_REDIRECT = {"account_reset_password_from_key"}

_POST = "a POST-only action (GET is refused); its refused form re-renders {}, walked"
NOT_PAGES: dict[str, str] = {
    "accounts:staff_roles_update": _POST.format("the roles page"),
    "eligibility:staff_resident_profile": _POST.format("the resident's staff page"),
    "eligibility:staff_verify": _POST.format("the resident's staff page"),
    "eligibility:staff_resident_residence": _POST.format("the resident's staff page"),
    "eligibility:staff_revoke": _POST.format("the resident's staff page"),
    "eligibility:staff_conflict_resolve": _POST.format("the conflicts page"),
    "proposals:submit": _POST.format("the review step"),
    "proposals:file_remove": _POST.format("the files step"),
    "assessment:act": _POST.format("the assessment page"),
    "assessment:message": _POST.format("the proposal's page"),
    "assessment:appeal": _POST.format("the proposal's page"),
    "workshops:register": _POST.format("the workshop's page"),
    "workshops:cancel_registration": _POST.format("the workshop's page"),
    "workshops:status": _POST.format("the console"),
    "workshops:check_in": _POST.format("the console"),
    "workshops:walk_ins": _POST.format("the console"),
    "workshops:minutes": _POST.format("the console"),
    "workshops:idea_add": _POST.format("the console"),
    "workshops:photo_add": _POST.format("the console"),
    "voting:ballots_pb": "a download: the anonymous ballots in Pabulib text",
    "voting:ballots_pb_unit": "a download: one budget unit's ballots in Pabulib text",
    "voting:results_csv": "a download: the results in CSV",
    "workshops:ics": "a download: the workshop in iCalendar",
    "workshops:export": "a download: the workshops in CSV or XLSX",
    "proposals:file": "a download: a proposal's image or document",
}


def _patterns() -> Iterator[tuple[str, str]]:
    """(route, name) of every URL pattern of the site."""
    from django.urls import URLPattern, URLResolver, get_resolver

    def walk(patterns, prefix: str, ns: list[str]) -> Iterator[tuple[str, str]]:  # type: ignore[no-untyped-def]
        for p in patterns:
            if isinstance(p, URLResolver):
                yield from walk(
                    p.url_patterns,
                    prefix + str(p.pattern),
                    ns + ([p.namespace] if p.namespace else []),
                )
            elif isinstance(p, URLPattern):
                route = prefix + str(p.pattern)
                yield route, ":".join([*ns, p.name or route])

    yield from walk(get_resolver().url_patterns, "", [])


def _has_parameters(route: str) -> bool:
    return any(c in route for c in "<(?[")


def _routes() -> list[str]:
    out: list[str] = []
    for route, _name in _patterns():
        if _has_parameters(route):
            continue
        route = route.lstrip("^").rstrip("$")
        if not SKIP.search(route):
            out.append("/" + route)
    return sorted(set(out) | {"/"})


def test_every_parameterised_pattern_is_walked() -> None:
    """A pattern with parameters is either walked on an instance (PAGES) or
    answers no page (NOT_PAGES, with why); a new one must be put in one."""
    names = {
        name
        for route, name in _patterns()
        if _has_parameters(route) and not THIRD_PARTY.search(route.lstrip("^"))
    }
    assert not set(PAGES) & set(NOT_PAGES)
    assert names - set(PAGES) - set(NOT_PAGES) == set(), "patterns neither walked nor explained"
    assert (set(PAGES) | set(NOT_PAGES)) - names == set(), "listed patterns that no longer exist"


def _instances(open_call: Any, areas: Any, resident: Any) -> dict[str, list[str]]:
    """Paths of real instances of every pattern in PAGES (their data made here)."""
    import datetime as dt
    from urllib.parse import urlsplit

    import time_machine
    from allauth.account.forms import default_token_generator
    from allauth.account.models import EmailAddress, EmailConfirmationHMAC
    from allauth.account.utils import user_pk_to_url_str
    from django.urls import reverse
    from django.utils import timezone
    from wagtail.models import Page

    from ciic.accounts.models import Role
    from ciic.notifications.models import OutgoingEmail
    from proposals.models import LOCAL_TZ, Category
    from proposals.views import STEP_NAMES
    from tests.factories import UserFactory, staff_user, verified_resident
    from tests.proposals.conftest import make_draft, make_submitted
    from tests.workshops.conftest import make_programme, make_workshop
    from voting import services as voting
    from workshops.services import idea_create

    from .production_data import make_voting_call

    day = dt.timedelta(days=1)
    today = timezone.localdate()

    def at(d: dt.date) -> Any:
        return time_machine.travel(dt.datetime.combine(d, dt.time(12), LOCAL_TZ), tick=False)

    author = verified_resident(serial=951)[0]
    proposal = make_submitted(author=author, call=open_call, title="Bănci noi în parc")
    draft = make_draft(author=resident, call=open_call, title="Un loc de joacă")

    # A vote that closed three days ago, its results published.
    past = make_voting_call(
        areas,
        first_day=today - 4 * day,
        last_day=today - 3 * day,
        slug="bp-rezultate",
        year=today.year - 1,
    )
    call, admin, ps = past["call"], past["admin"], past["proposals"]
    with at(today - 5 * day):
        voting.ballot_rule_set(
            actor=admin, call=call, kind="approval", max_choices=2, counting_rule="mes"
        )
    with at(today - 4 * day):
        voting.voting_open(actor=admin, call=call)
        for voter, chosen in zip(past["voters"], ((0, 1), (1, 2), (0, 3)), strict=True):
            choices = {ps[i].pk: 1 for i in chosen}
            voting.ballot_cast(actor=voter, call=call, voter=voter, choices=choices)
    with at(today - 2 * day):
        voting.results_compute(actor=admin, call=call)
        voting.results_publish(actor=admin, call=call)

    # A vote open from yesterday to tomorrow, where the resident has voted.
    live = make_voting_call(
        areas,
        first_day=today - day,
        last_day=today + day,
        slug="bp-acum",
        year=today.year + 1,
        voters=past["voters"],
    )
    with at(today - 2 * day):
        voting.ballot_rule_set(
            actor=admin, call=live["call"], kind="approval", max_choices=2, counting_rule="mes"
        )
    with at(today - day):
        voting.voting_open(actor=admin, call=live["call"])
    voting.ballot_cast(
        actor=resident, call=live["call"], voter=resident, choices={live["proposals"][0].pk: 1}
    )

    facilitator = staff_user(Role.FACILITATOR)
    workshop = make_workshop(make_programme(facilitator), facilitator)
    idea = idea_create(
        actor=facilitator,
        workshop=workshop,
        title="Un teren de sport",
        category=Category.INFRASTRUCTURA.value,
    )

    newcomer = UserFactory(email="nou@example.org")
    address = EmailAddress.objects.create(user=newcomer, email=newcomer.email, verified=False)
    reset_key = {
        "uidb36": user_pk_to_url_str(newcomer),
        "key": default_token_generator.make_token(newcomer),
    }

    results, vote = past["call"].slug, live["call"].slug
    ref = {"reference": proposal.reference}
    return {
        "proposals:detail": [proposal.get_absolute_url()],
        "proposals:start": [reverse("proposals:start", kwargs={"slug": open_call.slug})],
        "proposals:edit": [
            reverse("proposals:edit", kwargs={"pk": draft.pk, "step": step}) for step in STEP_NAMES
        ],
        "proposals:delete": [reverse("proposals:delete", kwargs={"pk": draft.pk})],
        "proposals:staff_versions": [reverse("proposals:staff_versions", kwargs=ref)],
        "proposals:staff_call_edit": [
            reverse("proposals:staff_call_edit", kwargs={"pk": open_call.pk})
        ],
        "assessment:detail": [reverse("assessment:detail", kwargs=ref)],
        **{
            f"maps:{name}": [reverse(f"maps:{name}", kwargs={"call": results})]
            for name in ("results", "results_embed", "participation", "participation_embed")
        },
        "voting:ballot": [reverse("voting:ballot", kwargs={"call": vote})],
        "voting:ballot_done": [reverse("voting:ballot_done", kwargs={"call": vote})],
        "voting:desk": [
            reverse("voting:desk", kwargs={"call": vote}),
            reverse("voting:desk", kwargs={"call": vote}) + f"?email={past['voters'][2].email}",
        ],
        "voting:manage": [
            reverse("voting:manage", kwargs={"call": vote}),
            reverse("voting:manage", kwargs={"call": results}),
        ],
        "voting:results_detail": [reverse("voting:results_detail", kwargs={"call": results})],
        "voting:receipts": [reverse("voting:receipts", kwargs={"call": results})],
        "workshops:detail": [reverse("workshops:detail", kwargs={"pk": workshop.pk})],
        "workshops:console": [reverse("workshops:console", kwargs={"pk": workshop.pk})],
        "workshops:edit": [reverse("workshops:edit", kwargs={"pk": workshop.pk})],
        "workshops:verify": [reverse("workshops:verify", kwargs={"pk": workshop.pk})],
        "workshops:idea_proposal": [reverse("workshops:idea_proposal", kwargs={"pk": idea.pk})],
        "eligibility:staff_resident": [
            reverse("eligibility:staff_resident", kwargs={"pk": resident.pk})
        ],
        "notifications:staff_outbox_email": [
            reverse(
                "notifications:staff_outbox_email",
                kwargs={"pk": OutgoingEmail.objects.order_by("pk").first().pk},  # type: ignore[union-attr]
            )
        ],
        "account_confirm_email": [
            reverse("account_confirm_email", kwargs={"key": EmailConfirmationHMAC(address).key})
        ],
        "account_reset_password_from_key": [
            reverse("account_reset_password_from_key", kwargs=reset_key)
        ],
        "wagtail_serve": sorted(
            {
                urlsplit(p.get_url()).path
                for p in Page.objects.live().filter(depth__gt=1).specific()
                if p.get_url()
            }
        ),
    }


def _goto(page, path: str):  # type: ignore[no-untyped-def]
    """The response to `path`, or None if it is not a page. An empty answer
    (405 to a GET) leaves Chromium on its error page, whose navigation would
    interrupt the next one: the tab is reset and the path tried once more."""
    for _attempt in range(2):
        try:
            return page.goto(path)
        except Exception:  # noqa: S112 - retried from a blank tab
            try:
                page.goto("about:blank")
            except Exception:  # noqa: S110 - the error page still loading; the retry tells
                pass
    return None


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("lang", ["ro", "en"])
@pytest.mark.parametrize("who", [V, R, A])
def test_every_page_passes_axe(
    browser, live_server, home_page, open_call, areas, settings, who, lang
):  # type: ignore[no-untyped-def]
    if not AXE.exists():
        pytest.skip("axe-core is not installed (npm ci)")
    from ciic.accounts.models import Role
    from cms.legal_pages import legal_pages_ensure
    from tests.auth import add_totp, confirm_email
    from tests.factories import staff_user, verified_resident

    legal_pages_ensure()
    resident = confirm_email(verified_resident(serial=950)[0])
    instances = _instances(open_call, areas, resident)
    settings.LANGUAGE_CODE = lang
    # Romanian at 1280 px, English at a phone's 360 px: every page is also
    # checked for a horizontal scroll on a phone (in one language, for time).
    phone = lang == "en"
    viewport = {"width": 360, "height": 780} if phone else {"width": 1280, "height": 800}
    context = browser.new_context(base_url=live_server.url, locale="ro-RO", viewport=viewport)
    context.add_cookies([{"name": "django_language", "value": lang, "url": live_server.url}])
    page = context.new_page()
    if who == R:
        log_in(page, resident.email)
    elif who == A:
        log_in(page, confirm_email(add_totp(staff_user(Role.ADMINISTRATOR))).email, totp=True)
    walk = [(path, "") for path in _routes()]
    walk += [(path, name) for name, paths in instances.items() for path in paths]
    found: dict[str, list[str]] = {}
    shown: set[str] = set()
    checked = 0
    for path, name in walk:
        response = _goto(page, path)
        if response is None:
            continue  # an empty answer (e.g. 405 to GET): not a page
        if (
            response is None
            or response.status != 200
            or "text/html" not in response.headers.get("content-type", "")
            or (response.request.redirected_from is not None and name not in FOLLOWS_REDIRECT)
        ):
            continue  # sent elsewhere: that page is walked on its own
        page.wait_for_load_state("load")
        checked += 1
        shown.add(name)
        problems = _violations(page)
        if phone:
            width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
            if width[0] > width[1]:
                problems.append(f"wider than the screen: {width[0]} px > {width[1]} px")
        if problems:
            found[path] = problems
    context.close()
    print(f"axe: {checked} pages as {who} in {lang}")
    assert checked >= 8, checked  # pages actually answered and checked
    missing = {name for name, roles in PAGES.items() if who in roles} - shown
    assert missing == set(), f"pages with parameters not shown to the {who}: {sorted(missing)}"
    assert found == {}, found
