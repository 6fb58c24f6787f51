"""A call's dates, in one place: `call_schedule` turns a start and a few
durations into the eight dates `call_create` and `call_update` take, so tests,
the demo and the benchmarks build a call with

    call_create(actor=None, ..., **call_schedule(submission_start=today - timedelta(days=10)))

instead of repeating the keyword block. Durations count days, both ends
included; the `*_after` gaps count days from the previous date (1 = the next
day)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _

SCHEDULE_FIELDS = (
    "submission_start",
    "submission_end",
    "assessment_start",
    "assessment_end",
    "voting_start",
    "voting_end",
    "results_date",
    "implementation_start",
)

# The call's own fields besides its dates (what `call_update` takes in `data`, with them).
CALL_TERMS_FIELDS = (
    "name",
    "slug",
    "year",
    "total_budget",
    "max_cost_per_proposal",
    "max_proposals_per_resident",
)
CALL_FIELDS = CALL_TERMS_FIELDS + SCHEDULE_FIELDS


def call_schedule(
    *,
    submission_start: dt.date,
    submission_days: int = 31,
    assessment_days: int = 20,
    voting_after: int = 1,
    voting_days: int = 10,
    results_after: int = 1,
    implementation_after: int = 9,
) -> dict[str, dt.date]:
    """The call's dates: submission from `submission_start` for
    `submission_days`, assessment right after, then voting, results and the
    start of implementation."""
    day = dt.timedelta(days=1)
    submission_end = submission_start + (submission_days - 1) * day
    assessment_start = submission_end + day
    assessment_end = assessment_start + (assessment_days - 1) * day
    voting_start = assessment_end + voting_after * day
    voting_end = voting_start + (voting_days - 1) * day
    results_date = voting_end + results_after * day
    return {
        "submission_start": submission_start,
        "submission_end": submission_end,
        "assessment_start": assessment_start,
        "assessment_end": assessment_end,
        "voting_start": voting_start,
        "voting_end": voting_end,
        "results_date": results_date,
        "implementation_start": results_date + implementation_after * day,
    }


def call_schedule_open(*, today: dt.date) -> dict[str, dt.date]:
    """A call whose submission opened 10 days before `today` and closes 20
    days after it (the usual call of tests and benchmarks)."""
    return call_schedule(submission_start=today - dt.timedelta(days=10))


# --- what may change once a call is running ----------------------------------------------

# Fixed once submission has opened: residents wrote their proposals under them.
FIXED_ONCE_OPEN = (
    "slug",
    "year",
    "total_budget",
    "max_cost_per_proposal",
    "max_proposals_per_resident",
)


def call_change_errors(
    *,
    call: Any,
    changed: Mapping[str, Any],
    categories_changed: bool,
    zone_budgets_changed: bool,
    today: dt.date,
) -> dict[str, list[str]]:
    """Which of the `changed` fields ({field: new value}) may not change now,
    and why (empty when all may). Before submission opens everything may
    change. From then on the rules residents rely on stay as published: the
    budgets, the limits and the accepted categories are fixed, a date that
    has passed stays, and the dates still ahead may only move later (an
    extension, never a shortening). The name and the descriptions of the
    categories (texts) may always be improved. No date may be set in the past."""
    from ..models import Phase, local_day_start

    errors: dict[str, list[str]] = {}
    opened = call.phase_at(local_day_start(today)) != Phase.UPCOMING
    for field in SCHEDULE_FIELDS:
        if field not in changed:
            continue
        old, new = getattr(call, field), changed[field]
        if opened and old < today:
            errors[field] = [_("This date has passed, so it can no longer change.")]
        elif opened and new < old:
            errors[field] = [
                _(
                    "Once submission has opened, dates can only move later: residents and "
                    "staff plan on the published dates."
                )
            ]
        elif new < today:
            errors[field] = [_("A date of the call cannot be set in the past.")]
    if not opened:
        return errors
    for field in FIXED_ONCE_OPEN:
        if field in changed:
            errors[field] = [
                _(
                    "This cannot change once submission has opened: residents wrote their "
                    "proposals under the published rules."
                )
            ]
    if categories_changed:
        errors["categories"] = [
            _(
                "The accepted categories cannot change once submission has opened; their "
                "descriptions can."
            )
        ]
    if zone_budgets_changed:
        errors["zone_budgets"] = [_("The zone budgets cannot change once submission has opened.")]
    return errors
