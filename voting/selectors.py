"""Reads for voting: budget units, what a resident's ballot offers, results.

A *budget unit* is money tallied on its own: each zone budget of the call
(`proposals.ZoneBudget`) for the proposals located in that zone, and the
sector-wide budget (the total minus the zone budgets) for every other
proposal (whole-sector ones, and those in zones without a budget). A resident
votes in the sector-wide unit and in the unit of their residence zone."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from ciic.cache import content_version_recent, content_versions_forget
from proposals.models import LOCAL_TZ, Call, Proposal, local_day_start

from .models import Ballot, BallotRule, Result

SECTOR = "sector"


@dataclass
class BudgetUnit:
    key: str  # "sector" or the zone's slug
    label: str
    budget: Decimal
    zone_id: int | None = None
    proposals: list[Proposal] = field(default_factory=list)


def ballot_rule_get(call: Call) -> BallotRule | None:
    return BallotRule.objects.filter(call=call).first()


def voting_end_instant(call: Call) -> dt.datetime:
    """The first instant at which ballots are refused."""
    return local_day_start(call.voting_end + dt.timedelta(days=1))


def voting_last_minute(call: Call) -> dt.datetime:
    """23:59 of the last voting day: what pages say ballots are accepted until."""
    return voting_end_instant(call) - dt.timedelta(minutes=1)


def voting_start_instant(call: Call) -> dt.datetime:
    return local_day_start(call.voting_start)


def budget_units(call: Call) -> list[BudgetUnit]:
    """The sector-wide unit first, then one per zone budget (by zone name)."""
    zone_budgets = list(
        call.zone_budgets.select_related("zone").defer("zone__geometry").order_by("zone__name")
    )
    sector_budget = Decimal(call.total_budget) - sum(
        (Decimal(zb.amount) for zb in zone_budgets), Decimal(0)
    )
    units = [BudgetUnit(SECTOR, _("Whole sector"), sector_budget)]
    units.extend(
        BudgetUnit(zb.zone.slug, zb.zone.name, Decimal(zb.amount), zb.zone_id)
        for zb in zone_budgets
    )
    return units


def unit_key_of(proposal: Proposal, units: list[BudgetUnit]) -> str:
    if not proposal.whole_sector and proposal.zone_id is not None:
        for unit in units:
            if unit.zone_id == proposal.zone_id:
                return unit.key
    return SECTOR


def ballot_proposals(call: Call) -> QuerySet[Proposal]:
    return (
        Proposal.objects.filter(call=call, status=Proposal.Status.ON_BALLOT)
        .select_related("zone")
        .order_by("reference")
    )


# What checking a ballot needs of each proposal (`services.ballot_errors`).
LEAN_FIELDS = (
    "id",
    "call_id",
    "reference",
    "title",
    "status",
    "assessed_cost",
    "cost_estimate",
    "zone_id",
    "whole_sector",
)


def units_with_proposals(
    call: Call, *, statuses: tuple[str, ...] | None = None, lean: bool = False
) -> list[BudgetUnit]:
    """The budget units with their proposals (on the ballot, or in `statuses`).
    `lean`: only the fields a ballot check needs (the voting-day hot path);
    never the zone's outline (a GeoJSON polygon per row)."""
    units = budget_units(call)
    by_key = {u.key: u for u in units}
    qs = Proposal.objects.filter(call=call).order_by("reference")
    qs = qs.only(*LEAN_FIELDS) if lean else qs.select_related("zone").defer("zone__geometry")
    qs = qs.filter(status__in=statuses) if statuses else qs.filter(status=Proposal.Status.ON_BALLOT)
    for proposal in qs:
        by_key[unit_key_of(proposal, units)].proposals.append(proposal)
    return units


# The ballot of calls whose voting has opened, per process: {(call id, opened
# at): (when read, units)}. From the opening (`services.voting_open`, one bulk
# step) to the publication of the results (after the close) which proposals
# are on the ballot, their costs and zones never change, nor do the zone
# budgets (fixed once submission opens): casting need not read them each time.
_OPENED_BALLOTS: dict[tuple[int, str], tuple[float, list[BudgetUnit]]] = {}
OPENED_BALLOT_SECONDS = 300.0  # read again after this long all the same
_OPENED_BALLOTS_KEPT = 16


def opened_ballot_units(call: Call, rule: BallotRule) -> list[BudgetUnit]:
    """`units_with_proposals(call, lean=True)` of a call whose voting has
    opened (`rule.opened_at` set), read once per process (and again every
    OPENED_BALLOT_SECONDS). Shared between requests: read them, never change
    them. Before the opening: read each time."""
    if rule.opened_at is None or rule.call_id != call.pk:
        return units_with_proposals(call, lean=True)
    key = (call.pk, rule.opened_at.isoformat())
    now = time.monotonic()
    kept = _OPENED_BALLOTS.get(key)
    if kept is None or now - kept[0] > OPENED_BALLOT_SECONDS:
        kept = (now, units_with_proposals(call, lean=True))
        if len(_OPENED_BALLOTS) >= _OPENED_BALLOTS_KEPT:
            _OPENED_BALLOTS.pop(next(iter(_OPENED_BALLOTS)))
        _OPENED_BALLOTS[key] = kept
    # The sector-wide unit's label in the language of this request.
    return [replace(u, label=_("Whole sector")) if u.key == SECTOR else u for u in kept[1]]


# Calls whose voting has opened, with their ballot rule, per process: {(slug,
# "calls" content version): (when read, call, rule)}. A cast needs the call's
# dates and rule; while voting is open they change only through the calls'
# services, which bump the "calls" version, so a kept call is read again at
# at most OPENED_CALL_VERSION_SECONDS after a change (the version is asked
# of Redis once per that time, not in every cast) and, whatever happens (an
# edit that bypasses the services, Redis unreachable), after OPENED_CALL_SECONDS.
_OPENED_CALLS: dict[tuple[str, int], tuple[float, Call, BallotRule]] = {}
OPENED_CALL_SECONDS = 10.0
OPENED_CALL_VERSION_SECONDS = 1.0
_OPENED_CALLS_KEPT = 16


def call_and_rule(slug: str, *, opened_kept: bool = False) -> tuple[Call, BallotRule | None] | None:
    """The call `slug` and its ballot rule (None if it has none) in one
    query; None if there is no such call. `opened_kept`: a call whose voting
    has opened is kept per process (the ballot's hot path; see
    `_OPENED_CALLS`): shared between requests, read it, never change it."""
    key: tuple[str, int] | None = None
    if opened_kept:
        key = (slug, content_version_recent("calls", seconds=OPENED_CALL_VERSION_SECONDS))
        kept = _OPENED_CALLS.get(key)
        if kept is not None and time.monotonic() - kept[0] <= OPENED_CALL_SECONDS:
            return kept[1], kept[2]
    call = Call.objects.select_related("ballot_rule").filter(slug=slug).first()
    if call is None:
        return None
    try:
        rule: BallotRule | None = call.ballot_rule
    except BallotRule.DoesNotExist:
        rule = None
    if key is not None and rule is not None and rule.opened_at is not None:
        if len(_OPENED_CALLS) >= _OPENED_CALLS_KEPT:
            _OPENED_CALLS.pop(next(iter(_OPENED_CALLS)))
        _OPENED_CALLS[key] = (time.monotonic(), call, rule)
    return call, rule


def opened_ballots_forget() -> None:
    """Forget the ballots and calls kept by `opened_ballot_units` and
    `call_and_rule` (tests: a new database may reuse a call's id)."""
    _OPENED_BALLOTS.clear()
    _OPENED_CALLS.clear()
    content_versions_forget()


def voter_units(call: Call, zone_id: int | None, *, lean: bool = False) -> list[BudgetUnit]:
    """The units a resident living in zone `zone_id` votes in, with their proposals."""
    return [
        u
        for u in units_with_proposals(call, lean=lean)
        if u.zone_id is None or u.zone_id == zone_id
    ]


def residence_zone_id(user: Any) -> int | None:
    """The residence zone as stored now (not a profile cached on `user`)."""
    from ciic.eligibility.models import ResidentProfile

    if getattr(user, "pk", None) is None:
        return None
    return (
        ResidentProfile.objects.filter(user_id=user.pk)
        .values_list("residence_zone_id", flat=True)
        .first()
    )


def ballot_current(call: Call, voter: Any) -> Ballot | None:
    if not getattr(voter, "is_authenticated", False):
        return None
    return (
        Ballot.objects.filter(call=call, voter=voter).prefetch_related("choices__proposal").first()
    )


def result_get(call: Call) -> Result | None:
    return Result.objects.filter(call=call).first()


def result_units(result: Result, language: str) -> list[dict[str, Any]]:
    """The result's budget units with `explanation` in `language` (Romanian,
    the site's first language, when the engine has no text in it)."""
    units = []
    for unit in result.units:
        texts = unit.get("explanation") or {}
        if isinstance(texts, list):  # computed before both languages were kept
            texts = {"en": texts}
        lang = (language or "ro").split("-")[0]
        lines: list[str] = texts.get(lang) or texts.get("ro") or next(iter(texts.values()), [])
        units.append({**unit, "explanation": lines})
    return units


def results_published() -> QuerySet[Result]:
    return (
        Result.objects.filter(status=Result.Status.PUBLISHED)
        .select_related("call")
        .order_by("-call__year", "-published_at")
    )


def receipt_hashes(call: Call) -> list[str]:
    """The receipt-code hashes of the counted ballots, sorted (no other order leaks)."""
    return list(
        Ballot.objects.filter(call=call)
        .order_by("receipt_hash")
        .values_list("receipt_hash", flat=True)
    )


def local_day(moment: dt.datetime) -> dt.date:
    return moment.astimezone(LOCAL_TZ).date()


def ballots_count(call: Call) -> int:
    return Ballot.objects.filter(call=call).count()


def result_charts(result: Result) -> list[Any]:
    """The charts of a results page, from the figures stored with the result."""
    from ciic.charts import bar_chart, line_chart, pie_chart

    from .models import Channel

    charts = []
    for unit in result.units:
        projects = sorted(unit["projects"], key=lambda p: -p["votes"])
        charts.append(
            bar_chart(
                id=f"votes-{unit['key']}",
                title=_("Votes per project: %(unit)s") % {"unit": unit["label"]},
                labels=[f"{p['reference']} {p['title'][:40]}" for p in projects],
                series={_("Votes"): [p["votes"] for p in projects]},
                x_title=_("Project"),
                y_title=_("Votes"),
                horizontal=True,
            )
        )
    stats = result.stats or {}
    days = stats.get("by_day", [])
    running, cumulative = 0, []
    for _day, n in days:
        running += n
        cumulative.append(running)
    charts.append(
        line_chart(
            id="turnout-time",
            title=_("Turnout over time"),
            x=[d for d, _n in days],
            series={_("Ballots cast (cumulative)"): cumulative},
            x_title=_("Day"),
            y_title=_("Ballots"),
        )
    )
    charts.append(
        bar_chart(
            id="turnout-zone",
            title=_("Turnout by planning zone"),
            labels=[z or _("No zone") for z, _n in stats.get("by_zone", [])],
            series={_("Ballots"): [n for _z, n in stats.get("by_zone", [])]},
            x_title=_("Zone"),
            y_title=_("Ballots"),
            horizontal=True,
        )
    )
    charts.append(
        bar_chart(
            id="turnout-age",
            title=_("Turnout by age band"),
            labels=[a or _("Unknown") for a, _n in stats.get("by_age", [])],
            series={_("Ballots"): [n for _a, n in stats.get("by_age", [])]},
            x_title=_("Age"),
            y_title=_("Ballots"),
        )
    )
    labels = dict(Channel.choices)
    charts.append(
        pie_chart(
            id="turnout-channel",
            title=_("Ballots by channel"),
            labels=[str(labels.get(c, c)) for c, _n in stats.get("by_channel", [])],
            values=[n for _c, n in stats.get("by_channel", [])],
            value_title=_("Ballots"),
        )
    )
    return charts
