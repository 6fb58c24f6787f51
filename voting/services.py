"""Writes for voting: the ballot rule, opening, casting, results, publishing.

Every function takes keyword arguments and an explicit `actor` (None: the
system, i.e. a scheduled job), runs in one transaction and records an audit
event (a first ballot on PostgreSQL: in one statement, see `ballot_cast`). Audit events never hold ballot choices nor receipt codes (see
`models` on secrecy)."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import random
import secrets
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from fractions import Fraction
from typing import Any, cast

import numpy as np
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Count
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from ciic.accounts.models import User
from ciic.accounts.predicates import is_administrator
from ciic.audit import events
from ciic.audit.models import Event
from ciic.audit.services import event_insert_sql, event_record
from ciic.cache import content_changed
from ciic.eligibility.selectors import participation_check
from ciic.jobs import enqueue_at
from ciic.links import site_url
from ciic.notifications.services import email_insert_sql, emails_batch_after_commit, notify
from ciic.sql import data_modifying_ctes
from proposals.models import LOCAL_TZ, Call, Proposal
from proposals.services import transition_allowed
from voting.tally import Election, Project, VoterRecords, dumps_pabulib, tally
from voting.tally.explain import LANGS as EXPLAIN_LANGS
from voting.tally.explain import explain
from voting.tally.model import BallotKind as TallyKind
from voting.tally.model import ProfileBuilder
from voting.tally.rules import Completion as TallyCompletion
from voting.tally.rules import Rule as TallyRule
from voting.tally.satisfaction import Sat

from . import selectors as sel
from .models import Ballot, BallotChoice, BallotKind, BallotRule, Channel, Result
from .predicates import is_desk_staff, voting_open_with

S = Proposal.Status
RECEIPT_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I


def _require_admin(actor: Any) -> None:
    if actor is not None and not is_administrator(actor):
        raise PermissionDenied(_("Only an administrator may do this."))


# --- the ballot rule ------------------------------------------------------------------


@transaction.atomic
def ballot_rule_set(
    *,
    actor: Any,
    call: Call,
    kind: str,
    counting_rule: str,
    completion: str = "none",
    max_choices: int | None = None,
    min_share_spent: Decimal | None = None,
    points: int | None = None,
    max_points_per_project: int | None = None,
) -> BallotRule:
    """Choose (or change) the ballot and counting rule of `call`, before voting
    opens; schedules the opening at the start of the voting phase."""
    _require_admin(actor)
    rule = BallotRule.objects.select_for_update().filter(call=call).first()
    if rule is not None and rule.locked:
        raise ValidationError(
            _("Voting has opened: the ballot rule can no longer change."), code="locked"
        )
    if timezone.now() >= sel.voting_end_instant(call):
        raise ValidationError(_("Voting in this call is over."), code="over")
    before = _rule_snapshot(rule) if rule else None
    rule = rule or BallotRule(call=call)
    rule.kind = kind
    rule.counting_rule = counting_rule
    rule.completion = completion
    rule.max_choices = max_choices if kind == BallotKind.APPROVAL else None
    rule.min_share_spent = min_share_spent if kind == BallotKind.KNAPSACK else None
    rule.points = points if kind == BallotKind.CUMULATIVE else None
    rule.max_points_per_project = max_points_per_project if kind == BallotKind.CUMULATIVE else None
    rule.full_clean()
    rule.save()
    from . import tasks

    enqueue_at(
        max(sel.voting_start_instant(call), timezone.now()),
        tasks.voting_open_job,
        call.pk,
        key=f"voting-open:{call.pk}",
    )
    event_record(
        actor=actor,
        action=events.VOTING_RULE_SET,
        obj=call,
        before=before,
        after=_rule_snapshot(rule),
    )
    content_changed("calls")
    return rule


def _rule_snapshot(rule: BallotRule) -> dict[str, Any]:
    return {
        "kind": rule.kind,
        "max_choices": rule.max_choices,
        "min_share_spent": str(rule.min_share_spent) if rule.min_share_spent is not None else None,
        "points": rule.points,
        "max_points_per_project": rule.max_points_per_project,
        "counting_rule": rule.counting_rule,
        "completion": rule.completion,
    }


# --- bulk status changes ----------------------------------------------------------------


def _proposals_move(
    *, actor: Any, proposals: list[Proposal], to_status: str, now: dt.datetime
) -> int:
    """Move many proposals at once along the lifecycle table of `proposals`:
    one UPDATE, one INSERT of their public timeline events, one cache bump
    (instead of one email and one map rebuild per proposal)."""
    if not proposals:
        return 0
    for p in proposals:
        # The same named rule (proposals.rules.TRANSITIONS) a single move checks.
        if not transition_allowed(actor=actor, proposal=p, to_status=to_status):
            raise ValidationError(
                _("A proposal cannot go from “%(from)s” to “%(to)s”.")
                % {"from": S(p.status).label, "to": S(to_status).label},
                code="invalid_transition",
            )
    ids = [p.pk for p in proposals]
    Proposal.objects.filter(pk__in=ids).update(status=to_status, updated_at=now)
    real_actor = actor if getattr(actor, "is_authenticated", False) else None
    Event.objects.bulk_create(
        [
            Event(
                actor=real_actor,
                actor_label=str(real_actor) if real_actor else "system",
                action=events.PROPOSAL_STATUS_CHANGED,
                object_type=Proposal._meta.label_lower,
                object_id=str(p.pk),
                object_repr=str(p)[:200],
                before={"status": p.status},
                after={"status": to_status, "note": ""},
                public=True,
            )
            for p in proposals
        ]
    )
    for p in proposals:
        p.status = to_status
    content_changed("proposals")
    return len(ids)


def _authors_notify(
    *,
    call: Call,
    proposals: list[Proposal],
    template: str,
    key: str,
    context: dict[str, Any],
    items: Any,
) -> int:
    """One email per author about all their `proposals` of `call` (not one per
    proposal), each in the author's language, written to the durable outbox in
    the caller's transaction: the single job that moves the proposals sends
    them all, exactly once (`key:<call>:<author>` is the outbox key). `items`
    turns an author's proposals into the template's context. Authors who
    deleted their account get nothing."""
    by_author: dict[int, list[Proposal]] = defaultdict(list)
    for p in sorted(proposals, key=lambda p: p.reference):
        if p.author_id is not None:
            by_author[p.author_id].append(p)
    authors = User.objects.in_bulk(list(by_author))
    sent = 0
    for author_id, mine in by_author.items():
        author = authors.get(author_id)
        if author is None or not author.is_active:
            continue
        notify(
            user=author,
            template=template,
            context={"call": call, **context, **items(mine)},
            key=f"{key}:{call.pk}:{author_id}",
        )
        sent += 1
    return sent


# --- opening ----------------------------------------------------------------------------


@transaction.atomic
def voting_open(*, actor: Any, call: Call, now: dt.datetime | None = None) -> BallotRule:
    """Lock the rule, put every eligible proposal on the ballot (one bulk step)
    and schedule the close. Idempotent: a second run changes nothing."""
    _require_admin(actor)
    now = now or timezone.now()
    rule = BallotRule.objects.select_for_update().filter(call=call).first()
    if rule is None:
        raise ValidationError(_("Choose the ballot rule first."), code="no_rule")
    if rule.locked:
        return rule
    if now < sel.voting_start_instant(call):
        raise ValidationError(_("The voting phase has not started yet."), code="too_early")
    if now >= sel.voting_end_instant(call):
        raise ValidationError(_("Voting in this call is over."), code="over")
    eligible = list(
        Proposal.objects.select_for_update().filter(call=call, status=S.ELIGIBLE).order_by("pk")
    )
    missing_cost = [p for p in eligible if p.ballot_cost is None]
    if missing_cost:
        raise ValidationError(
            _("%(ref)s has no cost: it cannot go on the ballot.") % {"ref": missing_cost[0]},
            code="no_cost",
        )
    _proposals_move(actor=actor, proposals=eligible, to_status=S.ON_BALLOT, now=now)
    _authors_notify(
        call=call,
        proposals=eligible,
        template="voting/email/on_ballot",
        key="voting-on-ballot",
        context={
            "voting_start": call.voting_start,
            "voting_end": call.voting_end,
            "url": site_url(f"/vote/{call.slug}/"),
        },
        items=lambda ps: {
            "proposals": [
                {"reference": p.reference, "title": p.title, "cost": p.ballot_cost} for p in ps
            ]
        },
    )
    rule.opened_at = now
    rule.save(update_fields=["opened_at", "updated_at"])
    from . import tasks

    enqueue_at(
        sel.voting_end_instant(call), tasks.voting_close_job, call.pk, key=f"voting-close:{call.pk}"
    )
    event_record(
        actor=actor,
        action=events.VOTING_OPENED,
        obj=call,
        after={"on_ballot": len(eligible)},
        public=True,
    )
    content_changed("calls")
    return rule


# --- casting ----------------------------------------------------------------------------


@dataclass(frozen=True)
class CastReceipt:
    ballot: Ballot
    code: str  # shown once and mailed; only its hash is stored


def receipt_hash(code: str) -> str:
    return hashlib.sha256(code.strip().upper().encode()).hexdigest()


def _receipt_code() -> str:
    raw = "".join(secrets.choice(RECEIPT_ALPHABET) for _i in range(12))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def age_band(birth_date: dt.date | None, on: dt.date) -> str:
    if birth_date is None:
        return ""
    age = on.year - birth_date.year - ((on.month, on.day) < (birth_date.month, birth_date.day))
    for upper, label in ((29, "18-29"), (44, "30-44"), (64, "45-64")):
        if age <= upper:
            return label
    return "65+"


def ballot_errors(
    *, rule: BallotRule, call: Call, zone_id: int | None, choices: Mapping[int, int]
) -> list[str]:
    """Why `choices` ({proposal id: points}) is not a valid ballot (empty: it is)."""
    units = [
        u for u in sel.opened_ballot_units(call, rule) if u.zone_id is None or u.zone_id == zone_id
    ]
    on_ballot = {p.pk: (u, p) for u in units for p in u.proposals}
    errors: list[str] = []
    if not choices:
        return [_("Choose at least one project.")]
    per_unit: dict[str, list[tuple[Proposal, int]]] = defaultdict(list)
    for pid, pts in choices.items():
        if pid not in on_ballot:
            other = (
                Proposal.objects.filter(pk=pid, call=call, status=S.ON_BALLOT)
                .select_related("zone")
                .first()
            )
            if other is not None and sel.unit_key_of(other, sel.budget_units(call)) != sel.SECTOR:
                errors.append(
                    _(
                        "“%(title)s” is in another planning zone: you may vote on the "
                        "projects of your own zone and on those for the whole sector."
                    )
                    % {"title": other.title}
                )
            else:
                errors.append(_("One of the projects you chose is not on this ballot."))
            continue
        unit, proposal = on_ballot[pid]
        if rule.kind == BallotKind.CUMULATIVE:
            if pts < 1 or pts > (rule.max_points_per_project or 0):
                errors.append(
                    _("Give each project between 1 and %(max)d points.")
                    % {"max": rule.max_points_per_project}
                )
                continue
        elif pts != 1:
            errors.append(_("This ballot has no points: choose projects only."))
            continue
        per_unit[unit.key].append((proposal, pts))
    if errors:
        return list(dict.fromkeys(errors))
    for unit in units:
        chosen = per_unit.get(unit.key, [])
        if not chosen:
            continue
        where = unit.label
        if rule.kind == BallotKind.APPROVAL and len(chosen) > (rule.max_choices or 0):
            errors.append(
                _("%(where)s: you chose %(n)d projects; at most %(k)d are allowed.")
                % {"where": where, "n": len(chosen), "k": rule.max_choices}
            )
        if rule.kind == BallotKind.KNAPSACK:
            spent = sum((Decimal(p.ballot_cost or 0) for p, _pts in chosen), Decimal(0))
            if spent > unit.budget:
                errors.append(
                    _(
                        "%(where)s: the projects you chose cost %(spent)s lei, more than the budget of %(budget)s lei."
                    )
                    % {"where": where, "spent": _lei(spent), "budget": _lei(unit.budget)}
                )
            elif rule.min_share_spent and spent < unit.budget * rule.min_share_spent / 100:
                errors.append(
                    _(
                        "%(where)s: choose projects worth at least %(min)s lei (%(pct)s%% of the budget); you chose %(spent)s lei."
                    )
                    % {
                        "where": where,
                        "min": _lei(unit.budget * rule.min_share_spent / 100),
                        "pct": f"{rule.min_share_spent.normalize():f}",
                        "spent": _lei(spent),
                    }
                )
        if rule.kind == BallotKind.CUMULATIVE:
            total = sum(pts for _p, pts in chosen)
            if total > (rule.points or 0):
                errors.append(
                    _("%(where)s: you gave %(n)d points; you have %(max)d.")
                    % {"where": where, "n": total, "max": rule.points}
                )
    return errors


def _lei(amount: Decimal) -> str:
    return f"{amount:,.0f}".replace(",", ".")


def _stale() -> ValidationError:
    return ValidationError(
        _(
            "Your ballot changed in the meantime (perhaps in another window). Check it below and send it again."
        ),
        code="stale",
    )


def _replace_allowed(existing: Ballot, channel: str) -> None:
    """A paper ballot is final, and a resident who voted cannot vote on paper."""
    if channel == Channel.PAPER:
        raise ValidationError(
            _(
                "This resident has already voted (%(channel)s) in this call: a paper ballot cannot be recorded."
            )
            % {"channel": Channel(existing.channel).label.lower()},
            code="already_voted",
        )
    if existing.channel == Channel.PAPER:
        raise ValidationError(
            _("You voted on paper at the CIIC desk; that ballot cannot be changed online."),
            code="paper_final",
        )


def _ballot_insert_sql(ballot: Ballot) -> tuple[str, list[Any]]:
    """`INSERT ... ON CONFLICT (call, voter) DO NOTHING RETURNING id` of a
    voter's first ballot in a call: a row, or none if they already have one
    (the unique constraint; PostgreSQL and SQLite both speak it). A
    simultaneous first ballot of the same voter makes it wait for that one to
    commit, then find it."""
    sql, fields = _ballot_insert_statement(connection.vendor)
    return sql, [f.get_db_prep_save(f.pre_save(ballot, True), connection) for f in fields]


@functools.cache
def _ballot_insert_statement(vendor: str) -> tuple[str, list[Any]]:
    """`_ballot_insert_sql`'s statement and the fields it writes (per process)."""
    meta = Ballot._meta
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    column = {f.name: str(f.column) for f in meta.concrete_fields}
    pk = next(str(f.column) for f in meta.concrete_fields if f.primary_key)
    qn = connection.ops.quote_name
    # Names from the model's own metadata; the values go as parameters.
    columns = ", ".join(qn(column[f.name]) for f in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    unique = f"{qn(column['call'])}, {qn(column['voter'])}"
    sql = f"INSERT INTO {qn(str(meta.db_table))} ({columns}) VALUES ({placeholders}) "  # noqa: S608
    sql += f"ON CONFLICT ({unique}) DO NOTHING RETURNING {qn(pk)}"
    return sql, fields


def _ballot_inserted(ballot: Ballot, row: Any) -> Ballot | None:
    if row is None:
        return None
    ballot.pk = row[0]
    ballot._state.adding = False
    ballot._state.db = connection.alias
    return ballot


def _ballot_insert(ballot: Ballot) -> Ballot | None:
    """Insert `ballot`, a voter's first in a call, or nothing (None) if they
    already have one (see `_ballot_insert_sql`): one statement where a
    look-up, a savepoint, an insert and its release were four."""
    sql, params = _ballot_insert_sql(ballot)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return _ballot_inserted(ballot, cursor.fetchone())


@functools.cache
def _choices_from_ballot(vendor: str) -> tuple[str, str]:
    """The choices' INSERT of `_ballot_insert_all` up to its VALUES, and one
    row of them (per process)."""
    meta = BallotChoice._meta
    qn = connection.ops.quote_name
    column = {f.name: f for f in meta.concrete_fields}
    proposal_type = column["proposal"].db_type(connection)
    points_type = column["points"].db_type(connection)
    names = ", ".join(qn(str(column[n].column)) for n in ("ballot", "proposal", "points"))
    head = (
        f"INSERT INTO {qn(str(meta.db_table))} ({names}) "  # noqa: S608 - values as parameters
        "SELECT b.id, v.proposal, v.points FROM b,"
    )
    return head, f"(CAST(%s AS {proposal_type}), CAST(%s AS {points_type}))"


def _ballot_insert_all(
    ballot: Ballot,
    choices: Mapping[int, int],
    parts: Sequence[tuple[str, list[Any]] | None],
) -> Ballot | None:
    """A first ballot, its choices and `parts` (rows of other apps written only
    with the ballot: its audit event, its receipt; see `ciic.sql`) in ONE
    statement of data-modifying CTEs (PostgreSQL): voting day's hot path, one
    round trip where there were four. None (and nothing written) if the voter
    already has a ballot."""
    sql, params = _ballot_insert_sql(ballot)
    head, row = _choices_from_ballot(connection.vendor)
    rows = ", ".join([row] * len(choices))
    ctes = [f"b AS ({sql})", f"c AS ({head} (VALUES {rows}) AS v (proposal, points))"]
    params += [value for pid, pts in choices.items() for value in (int(pid), int(pts))]
    for n, part in enumerate(p for p in parts if p is not None):
        ctes.append(f"w{n} AS ({part[0]})")
        params += part[1]
    with connection.cursor() as cursor:
        cursor.execute(f"WITH {', '.join(ctes)} SELECT id FROM b", params)  # noqa: S608
        return _ballot_inserted(ballot, cursor.fetchone())


RECEIPT_TEMPLATE = "voting/email/receipt"


def _receipt_context(call: Call, code: str, channel: str, *, changed: bool) -> dict[str, Any]:
    """The receipt email's context, kept as JSON in the outbox until delivery
    (`notify(..., deferred=True)`): only what its templates read."""
    return {
        "call": {"name": call.name},
        "code": code,
        "channel": channel,
        "changed": changed,
        "closes": sel.voting_last_minute(call),
        "receipts_url": site_url(f"/results/{call.slug}/receipts/"),
    }


def _choices_insert(ballot_id: int, choices: Mapping[int, int]) -> None:
    """The choices of a ballot in one INSERT, written out: `bulk_create` spent
    0.3 ms of CPU per ballot building it (voting day's hot path)."""
    meta = BallotChoice._meta
    qn = connection.ops.quote_name
    column = {f.name: qn(str(f.column)) for f in meta.concrete_fields}
    rows = ", ".join(["(%s, %s, %s)"] * len(choices))
    names = f"{column['ballot']}, {column['proposal']}, {column['points']}"
    sql = f"INSERT INTO {qn(str(meta.db_table))} ({names}) VALUES {rows}"  # noqa: S608 - values as parameters
    params = [value for pid, pts in choices.items() for value in (ballot_id, int(pid), int(pts))]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def ballot_cast(
    *,
    actor: Any,
    call: Call,
    voter: Any,
    choices: Mapping[int, int],
    channel: str = Channel.ONLINE,
    expected_revision: int | None = None,
    now: dt.datetime | None = None,
    rule: BallotRule | None = None,
) -> CastReceipt:
    """Cast or replace `voter`'s ballot in `call`: {proposal id: points} (1 for
    approval and budget ballots). Online the actor is the voter; on paper a
    desk staff member who checked the voter's identity. `expected_revision` is
    the revision the form was built on (0: no ballot yet): a replayed or stale
    form is refused instead of silently overwriting a newer ballot. `rule`:
    the call's ballot rule if the caller has loaded it (a rule, once voting
    has opened, never changes).

    Concurrency: a change locks the voter's ballot row, so changes queue; a
    first ballot is inserted at once and the database's unique constraint
    (one ballot per voter and call) settles simultaneous first ballots: the
    losers are refused as stale, or, without `expected_revision`, become a
    change of the winner's ballot. This is the voting-day hot path: a first
    ballot costs two statements besides its transaction on PostgreSQL
    (eligibility with the zone and the identity hold; then the ballot, its
    choices, the audit row and the receipt in the outbox in one statement of
    data-modifying CTEs, `_ballot_insert_all`), five on SQLite; the receipt
    is rendered at delivery, not here; the ballot's projects and budgets are
    read once per process (`selectors.opened_ballot_units`)."""
    now = now or timezone.now()
    if channel == Channel.ONLINE:
        if not getattr(actor, "is_authenticated", False) or actor.pk != voter.pk:
            raise PermissionDenied(_("You can only cast your own ballot."))
    elif channel == Channel.PAPER:
        if not is_desk_staff(actor):
            raise PermissionDenied(_("Only desk staff may record a paper ballot."))
    else:
        raise ValidationError(_("Unknown channel."), code="channel")
    if rule is None or rule.call_id != call.pk:  # `rule`: the call's, already loaded
        rule = BallotRule.objects.filter(call=call).first()
    if rule is None or not voting_open_with(rule, call, now):
        if now >= sel.voting_end_instant(call):
            raise ValidationError(
                _("Voting has closed: ballots are no longer accepted."), code="closed"
            )
        raise ValidationError(_("Voting is not open."), code="not_open")
    today = sel.local_day(now)
    # Eligibility, the residence zone and the identity hold: one query.
    decision = participation_check(user=voter, on_date=today, for_ballot=True)
    if not decision.allowed:
        raise ValidationError(decision.message, code=f"ineligible:{decision.reason}")
    if decision.identity_retained:
        # The same person voted from an account deleted since (its CNP hash is kept
        # apart until the results are published, see `identity_hold`).
        raise ValidationError(
            _("This person has already voted in this call from another account."),
            code="already_voted_elsewhere",
        )
    zone_id = decision.residence_zone_id
    errors = ballot_errors(rule=rule, call=call, zone_id=zone_id, choices=choices)
    code = _receipt_code()
    birth = decision.verification.birth_date if decision.verification else None
    fields = {
        "channel": channel,
        "zone_id": zone_id,
        "age_band": age_band(birth, today),
        "receipt_hash": receipt_hash(code),
        "cast_at": now,
    }
    # That a resident voted, and how; never what they chose nor the receipt.
    # A change is a new cast: no hint of what changed.
    audit_after = {"channel": channel, **({"voter": voter.pk} if channel == Channel.PAPER else {})}
    if not expected_revision and not errors and data_modifying_ctes():
        # A first ballot (0), or the desk's (None): the ballot, its choices, the
        # audit row and the receipt in one statement, all written or (the voter
        # has a ballot) none. One statement is atomic by itself: no transaction
        # around it (its BEGIN and COMMIT were two more round trips).
        first = Ballot(revision=1, call_id=call.pk, voter=voter, first_cast_at=now, **fields)
        ballot = _ballot_insert_all(
            first,
            choices,
            [
                event_insert_sql(
                    actor=actor, action=events.BALLOT_CAST, obj=call, after=audit_after, source="b"
                ),
                email_insert_sql(
                    user=voter,
                    template=RECEIPT_TEMPLATE,
                    context=_receipt_context(call, code, channel, changed=False),
                    source="b",
                ),
            ],
        )
        if ballot is not None:
            emails_batch_after_commit()
            return CastReceipt(ballot=ballot, code=code)
    with transaction.atomic():
        ballot = _ballot_write(
            actor=actor,
            call=call,
            voter=voter,
            choices=choices,
            channel=channel,
            expected_revision=expected_revision,
            now=now,
            fields=fields,
            errors=errors,
            audit_after=audit_after,
            code=code,
        )
    return CastReceipt(ballot=ballot, code=code)


def _ballot_write(
    *,
    actor: Any,
    call: Call,
    voter: Any,
    choices: Mapping[int, int],
    channel: str,
    expected_revision: int | None,
    now: dt.datetime,
    fields: dict[str, Any],
    errors: list[str],
    audit_after: dict[str, Any],
    code: str,
) -> Ballot:
    """`ballot_cast` in its transaction: a change (the voter's ballot locked),
    or a first ballot on SQLite (whose WITH cannot write), statement by statement."""
    ballot = None
    if not expected_revision and not errors and not data_modifying_ctes():
        # A first ballot (0), or the desk's (None), on SQLite.
        first = Ballot(revision=1, call_id=call.pk, voter=voter, first_cast_at=now, **fields)
        ballot = _ballot_insert(first)
    existing = None
    if ballot is None:
        # A change waits here for any other change of the same ballot to commit.
        existing = Ballot.objects.select_for_update().filter(call=call, voter=voter).first()
        if existing is None:  # a change of a ballot that is not there
            if errors:
                raise ValidationError(errors, code="invalid_ballot")
            raise _stale()
        _replace_allowed(existing, channel)
        if expected_revision is not None and expected_revision != existing.revision:
            raise _stale()
    if errors:
        raise ValidationError(errors, code="invalid_ballot")
    if existing is not None:
        ballot = existing
        BallotChoice.objects.filter(ballot=ballot).delete()
        for name, value in fields.items():
            setattr(ballot, name, value)
        ballot.revision = existing.revision + 1
        ballot.save()
    if ballot is None:  # unreachable: either inserted or the existing one
        raise RuntimeError("no ballot")
    _choices_insert(ballot.pk, choices)
    event_record(actor=actor, action=events.BALLOT_CAST, obj=call, after=audit_after)
    # No outbox key: this transaction writes the message once, and a key would
    # cost a look-up and a savepoint on every ballot.
    notify(
        user=voter,
        template=RECEIPT_TEMPLATE,
        context=_receipt_context(call, code, channel, changed=ballot.revision > 1),
        # Voting day sends a receipt per ballot: one job delivers them in
        # batches, and renders them (not the request that casts).
        batched=True,
        deferred=True,
    )
    return ballot


# --- results ----------------------------------------------------------------------------


def _fraction(amount: Decimal) -> Fraction:
    return Fraction(str(amount))


def _unit_election(
    *,
    rule: BallotRule,
    call: Call,
    unit: sel.BudgetUnit,
    ballots: Sequence[tuple[int, int | None]],
    choices_of: Mapping[int, list[tuple[int, int]]],
    rng: random.Random,
) -> tuple[Election, list[int], list[int]]:
    """The unit's election (shuffled anonymous voters), its votes and points per project."""
    index = {p.pk: i for i, p in enumerate(unit.proposals)}
    kind: TallyKind = "cumulative" if rule.kind == BallotKind.CUMULATIVE else "approval"
    builder = ProfileBuilder(kind, len(unit.proposals))
    votes = [0] * len(unit.proposals)
    pts_total = [0] * len(unit.proposals)
    for ballot_id, zone_id in ballots:
        if unit.zone_id is not None and zone_id != unit.zone_id:
            continue
        mine = [(index[pid], pts) for pid, pts in choices_of.get(ballot_id, ()) if pid in index]
        for i, pts in mine:
            votes[i] += 1
            pts_total[i] += pts
        builder.add(dict(mine) if kind == "cumulative" else [i for i, _p in mine])
    order = list(builder.voter_ballot)
    rng.shuffle(order)
    projects = tuple(
        Project(p.reference, _fraction(p.ballot_cost or Decimal(0)), p.title)
        for p in unit.proposals
    )
    meta = {
        "description": f"{call.name} — {unit.label}",
        "country": "Romania",
        "unit": "București Sectorul 6",
        "subunit": unit.label,
        "instance": str(call.year),
        "date_begin": call.voting_start.strftime("%d.%m.%Y"),
        "date_end": call.voting_end.strftime("%d.%m.%Y"),
        "currency": "RON",
        "language": "ro",
        "rule": rule.pabulib_rule,
    }
    if rule.kind == BallotKind.APPROVAL:
        meta["max_length"] = str(rule.max_choices)
    elif rule.kind == BallotKind.KNAPSACK:
        meta["max_sum_cost"] = f"{unit.budget:f}".rstrip("0").rstrip(".")
        if rule.min_share_spent:
            meta["min_sum_cost"] = str(int(unit.budget * rule.min_share_spent / 100))
    else:
        meta["max_sum_points"] = str(rule.points)
        meta["max_points"] = str(rule.max_points_per_project)
    election = Election(
        projects=projects,
        budget=_fraction(unit.budget),
        profile=builder.build(),
        meta=meta,
        vote_type=kind,
        voters=VoterRecords(
            voter_ids=[str(n + 1) for n in range(len(order))],
            ballot_of_voter=np.array(order, dtype=np.int64),
        ),
    )
    return election, votes, pts_total


def unit_outcome(rule: BallotRule, election: Election) -> Any:
    return tally(
        election,
        rule=cast(TallyRule, rule.counting_rule),
        sat=_sat(rule),
        completion=cast(TallyCompletion, rule.completion),
    )


def _sat(rule: BallotRule) -> Sat:
    return cast(Sat, rule.sat)


@transaction.atomic
def results_compute(*, actor: Any, call: Call, now: dt.datetime | None = None) -> Result:
    """Tally every budget unit under the official rule (and greedy and MES for
    the comparison) once voting has closed. Idempotent until published."""
    _require_admin(actor)
    now = now or timezone.now()
    if now < sel.voting_end_instant(call):
        raise ValidationError(_("Voting has not closed yet."), code="not_closed")
    rule = BallotRule.objects.filter(call=call).first()
    if rule is None or not rule.locked:
        raise ValidationError(_("Voting never opened in this call."), code="never_opened")
    existing = Result.objects.select_for_update().filter(call=call).first()
    if existing is not None and existing.is_published:
        return existing
    units = sel.units_with_proposals(call)
    ballots = list(Ballot.objects.filter(call=call).order_by("pk").values_list("pk", "zone_id"))
    choices_of: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for ballot_id, pid, pts in (
        BallotChoice.objects.filter(ballot__call=call)
        .order_by("ballot_id", "proposal_id")
        .values_list("ballot_id", "proposal_id", "points")
    ):
        choices_of[ballot_id].append((pid, pts))
    rng = random.SystemRandom()
    out_units = []
    for unit in units:
        if not unit.proposals:
            continue
        election, votes, points = _unit_election(
            rule=rule, call=call, unit=unit, ballots=ballots, choices_of=choices_of, rng=rng
        )
        official = unit_outcome(rule, election)
        greedy = tally(election, rule="greedy", sat=_sat(rule))
        mes = tally(
            election,
            rule="mes",
            sat=_sat(rule),
            completion=cast(
                TallyCompletion, rule.completion if rule.counting_rule == "mes" else "greedy"
            ),
        )
        selected = set(official.selected_ids)
        order = {pid: n for n, pid in enumerate(official.selection_order)}
        published = replace(
            election,
            project_extra={
                "votes": [str(v) for v in votes],
                "selected": ["1" if p.id in selected else "0" for p in election.projects],
            },
        )
        out_units.append(
            {
                "key": unit.key,
                "label": unit.label,
                "budget": str(unit.budget),
                "voters": election.num_voters,
                "total_cost": str(
                    Decimal(official.total_cost.numerator) / official.total_cost.denominator
                ),
                "projects": [
                    {
                        "id": p.pk,
                        "reference": p.reference,
                        "title": p.title,
                        "category": p.category,
                        "cost": str(p.ballot_cost),
                        "votes": votes[i],
                        "points": points[i],
                        "selected": p.reference in selected,
                        "order": order.get(p.reference),
                        "greedy": p.reference in greedy.selected_ids,
                        "mes": p.reference in mes.selected_ids,
                    }
                    for i, p in enumerate(unit.proposals)
                ],
                "selected": official.selected_ids,
                "greedy_cost": str(
                    Decimal(greedy.total_cost.numerator) / greedy.total_cost.denominator
                ),
                "mes_cost": str(Decimal(mes.total_cost.numerator) / mes.total_cost.denominator),
                # The engine's explanation in each language of the site; the page
                # shows the reader's (`selectors.result_units`).
                "explanation": {lang: explain(official, lang) for lang in EXPLAIN_LANGS},
                "pb": dumps_pabulib(published),
            }
        )
    result = existing or Result(call=call)
    result.units = out_units
    result.stats = _turnout_stats(call)
    result.ballots_count = len(ballots)
    result.computed_at = now
    result.status = Result.Status.COMPUTED
    result.full_clean()
    result.save()
    event_record(
        actor=actor,
        action=events.VOTING_RESULTS_COMPUTED,
        obj=call,
        after={"ballots": len(ballots)},
    )
    return result


def _turnout_stats(call: Call) -> dict[str, Any]:
    """Ballots per local day, zone, age band and channel, counted by the
    database (one GROUP BY each: 50,000 ballots never travel to Python)."""
    ballots = Ballot.objects.filter(call=call).order_by()

    def counted(*fields: str, **named: Any) -> list[tuple[Any, int]]:
        qs = ballots.annotate(**named) if named else ballots
        key = (list(named) or list(fields))[0]
        return list(qs.values(key).annotate(n=Count("pk")).values_list(key, "n"))

    by_day = counted(day=TruncDate("first_cast_at", tzinfo=LOCAL_TZ))
    return {
        "by_day": sorted((day.isoformat(), n) for day, n in by_day),
        "by_zone": sorted((zone or "", n) for zone, n in counted("zone__name")),
        "by_age": sorted((age or "", n) for age, n in counted("age_band")),
        "by_channel": sorted(counted("channel")),
    }


@transaction.atomic
def results_publish(*, actor: Any, call: Call, now: dt.datetime | None = None) -> Result:
    """Publish the computed results: proposals on the ballot become selected or
    not selected in one bulk step each."""
    _require_admin(actor)
    now = now or timezone.now()
    result = Result.objects.select_for_update().filter(call=call).first()
    if result is None:
        raise ValidationError(_("There are no computed results to publish."), code="no_result")
    if result.is_published:
        return result
    winners = {p["id"] for u in result.units for p in u["projects"] if p["selected"]}
    on_ballot = list(Proposal.objects.select_for_update().filter(call=call, status=S.ON_BALLOT))
    _proposals_move(
        actor=actor,
        proposals=[p for p in on_ballot if p.pk in winners],
        to_status=S.SELECTED,
        now=now,
    )
    _proposals_move(
        actor=actor,
        proposals=[p for p in on_ballot if p.pk not in winners],
        to_status=S.NOT_SELECTED,
        now=now,
    )
    votes = {p["id"]: p["votes"] for u in result.units for p in u["projects"]}

    def outcome(ps: list[Proposal]) -> dict[str, Any]:
        rows = [
            {"reference": p.reference, "title": p.title, "votes": votes.get(p.pk, 0)} for p in ps
        ]
        return {
            "selected": [r for p, r in zip(ps, rows, strict=True) if p.pk in winners],
            "not_selected": [r for p, r in zip(ps, rows, strict=True) if p.pk not in winners],
        }

    _authors_notify(
        call=call,
        proposals=on_ballot,
        template="voting/email/results",
        key="voting-results",
        context={"url": site_url(f"/results/{call.slug}/")},
        items=outcome,
    )
    result.status = Result.Status.PUBLISHED
    result.published_at = now
    result.published_by = actor if getattr(actor, "is_authenticated", False) else None
    result.save()
    event_record(
        actor=actor,
        action=events.VOTING_RESULTS_PUBLISHED,
        obj=call,
        after={"selected": len(winners)},
        public=True,
    )
    content_changed("results", "calls")
    return result


# --- personal data -------------------------------------------------------------------------


def personal_data_export(user: Any) -> Any:
    """That the person voted, in which call and how; never what they chose."""
    return [
        {"call": b.call.name, "channel": b.channel, "cast_at": b.cast_at.isoformat()}
        for b in Ballot.objects.filter(voter=user).select_related("call")
    ]


def identity_hold(user: Any) -> dt.date | None:
    """The last day a deleted account's keyed CNP hash must be kept apart: while
    a call the person voted in has no published results, so that the same
    person cannot vote again with a new account. The call's results date, or a
    week from today when that date has passed and the results are still to be
    published (the privacy notice says so)."""
    today = timezone.localdate()
    days = [
        max(call.results_date, today + dt.timedelta(days=7))
        if call.results_date < today
        else call.results_date
        for call in Call.objects.filter(ballots__voter=user)
        .exclude(result__status=Result.Status.PUBLISHED)
        .distinct()
    ]
    return max(days) if days else None


def personal_data_erase(user: Any) -> None:
    """The ballots stay counted; the link to the person is cut."""
    Ballot.objects.filter(voter=user).update(voter=None)
