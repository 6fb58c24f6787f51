"""Demo vote of the finished 2025 call (idempotent): a few hundred demo
residents cast ballots through the services on the days the vote ran (online
and at the desk), the close job tallies them, an administrator publishes, and
the funded projects then go into implementation. `proposals.demo` leaves the
2025 call assessed; this goes on from there."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from ciic.accounts.models import Role, User
from proposals.demo import DOMAIN, PAST_CALL_SLUG, PAST_PROPOSALS
from proposals.models import LOCAL_TZ, Call, Proposal

from .models import Channel, Result

S = Proposal.Status
VOTERS = 240


def _at(day: dt.date, hour: int = 10, minute: int = 0) -> Any:
    import time_machine

    return time_machine.travel(
        dt.datetime.combine(day, dt.time(hour, minute), LOCAL_TZ), tick=False
    )


def _voters(facilitator: User, zones: list[Any]) -> list[User]:
    """Demo residents verified at the desk (ages 18-85, every zone)."""
    from allauth.account.models import EmailAddress

    from ciic.eligibility.cnp import cnp_check_digit
    from ciic.eligibility.models import Verification
    from ciic.eligibility.services import profile_update, verification_create_in_person

    voters = []
    for n in range(1, VOTERS + 1):
        email = f"votant{n}@{DOMAIN}"
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            user = User.objects.create_user(email=email, password=None)
            EmailAddress.objects.update_or_create(
                user=user, email=email, defaults={"verified": True, "primary": True}
            )
        born = dt.date(1940 + (n * 7) % 66, n % 12 + 1, n % 28 + 1)
        if not hasattr(user, "resident_profile"):
            profile_update(
                actor=user,
                user=user,
                full_name=f"Votant Demo {n}",
                date_of_birth=born,
                address=f"Str. Demo {n}, Sector 6",
            )
        if not Verification.objects.filter(user=user).exists():
            first12 = f"{1 if born.year < 2000 else 5}{born:%y%m%d}46{n % 1000:03d}"
            verification_create_in_person(
                actor=facilitator,
                user=user,
                cnp=first12 + str(cnp_check_digit(first12)),
                document_type="identity_card",
                sector6_resident=True,
                residence_zone=zones[n % len(zones)] if zones else None,
            )
        voters.append(user)
    return voters


def _run_job(key: str) -> None:
    from ciic.jobs.models import ScheduledJob
    from ciic.jobs.services import scheduled_job_run

    job = ScheduledJob.objects.filter(key=key).first()
    if job is not None:
        scheduled_job_run(job_id=job.pk)


def seed(out: Any) -> None:
    try:
        import time_machine  # noqa: F401
    except ImportError:
        out.write("voting.demo: time-machine not installed, no demo vote")
        return
    from geo.models import Area

    from . import services

    call = Call.objects.filter(slug=PAST_CALL_SLUG).first()
    if call is None or Result.objects.filter(call=call).exists():
        return
    if not Proposal.objects.filter(call=call, status=S.ELIGIBLE).exists():
        out.write("voting.demo: the 2025 call was decided without a vote (older demo data)")
        return
    admin = User.objects.filter(groups__name=Role.ADMINISTRATOR).first()
    facilitator = User.objects.filter(groups__name=Role.FACILITATOR).first() or admin
    if admin is None or facilitator is None:
        return
    zones = list(Area.objects.filter(kind=Area.Kind.ZONE).order_by("pk"))
    with _at(dt.date(2025, 1, 21)):
        voters = _voters(facilitator, zones)
    with _at(dt.date(2025, 5, 1)):
        services.ballot_rule_set(
            actor=admin, call=call, kind="approval", max_choices=3, counting_rule="greedy"
        )
    with _at(dt.date(2025, 5, 10), 0, 1):
        _run_job(f"voting-open:{call.pk}")  # the eligible proposals go on the ballot
    intended = {title: outcome for title, *_rest, outcome in PAST_PROPOSALS}
    on_ballot = list(Proposal.objects.filter(call=call, status=S.ON_BALLOT).order_by("pk"))
    funded = (S.SELECTED, S.IN_IMPLEMENTATION, S.COMPLETED)
    weights = [3 if intended.get(p.title) in funded else 1 for p in on_ballot]
    rng = random.Random(2025)  # noqa: S311 - demo data, reproducible
    voting_days = 22
    for n, voter in enumerate(voters):
        picks: dict[int, int] = {}
        wanted_picks = min(rng.randint(1, 3), len(on_ballot))
        while len(picks) < wanted_picks:
            picks[rng.choices(on_ballot, weights)[0].pk] = 1
        # More ballots at the start and near the close, as in real votes.
        day = dt.date(2025, 5, 10) + dt.timedelta(
            days=min(voting_days - 1, int(rng.triangular(0, voting_days, voting_days * 0.8)))
        )
        paper = n % 7 == 0
        with _at(day, 8 + n % 12, n % 60):
            services.ballot_cast(
                actor=facilitator if paper else voter,
                call=call,
                voter=voter,
                choices=picks,
                channel=Channel.PAPER if paper else Channel.ONLINE,
            )
    with _at(dt.date(2025, 6, 1), 0, 5):
        _run_job(f"voting-close:{call.pk}")  # the results, computed by the tally engine
    with _at(dt.date(2025, 6, 10)):
        services.results_publish(actor=admin, call=call)
    from proposals.services import proposal_transition

    for day, wanted, to in [
        (dt.date(2025, 7, 15), (S.IN_IMPLEMENTATION, S.COMPLETED), S.IN_IMPLEMENTATION),
        (dt.date(2025, 10, 30), (S.COMPLETED,), S.COMPLETED),
    ]:
        with _at(day):
            for p in Proposal.objects.filter(call=call, status__in=funded).order_by("pk"):
                if intended.get(p.title) in wanted and p.status != to:
                    proposal_transition(actor=None, proposal=p, to_status=to)
    result = Result.objects.get(call=call)
    out.write(
        f"Demo vote {call.slug}: {result.ballots_count} ballots, results published "
        f"({sum(len(u['selected']) for u in result.units)} projects funded)"
    )
