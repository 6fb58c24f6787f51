"""Assessment services: assignment, the record, changes requested, decisions
with four eyes, appeals, merged duplicates, the thread, overdue items."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from ciic.audit.models import Event
from ciic.jobs.models import ScheduledJob
from ciic.notifications.models import OutgoingEmail
from proposals.assessment import selectors, services
from proposals.assessment.models import Appeal, Decision
from proposals.models import LOCAL_TZ, Proposal
from proposals.selectors import proposal_timeline_entries

from .conftest import AFTER, BEFORE, DURING, four_eyes

S = Proposal.Status
pytestmark = pytest.mark.django_db


def _reload(p):  # type: ignore[no-untyped-def]
    return Proposal.objects.get(pk=p.pk)


def test_assign_single_and_bulk_with_default_due_date(frozen, staff, proposal, other_proposal):
    frozen.move_to(BEFORE)
    coordinator = staff["administrator"]
    out = services.assessment_assign(
        actor=coordinator, proposals=[proposal, other_proposal], assessor=staff["assessor"]
    )
    assert [a.assessor for a in out] == [staff["assessor"]] * 2
    # 15 working days after the close of submissions (30 April): 1 May is a holiday.
    assert out[0].due_date == dt.date(2026, 5, 22)
    assert Event.objects.filter(action="assessment.assigned").count() == 2
    with pytest.raises(PermissionDenied):
        services.assessment_assign(
            actor=staff["assessor"], proposals=[proposal], assessor=staff["assessor"]
        )
    with pytest.raises(ValidationError):
        services.assessment_assign(
            actor=coordinator, proposals=[proposal], assessor=staff["facilitator"]
        )


def test_no_one_is_assigned_or_assesses_their_own_proposal(frozen, call, staff, resident):
    from django.contrib.auth.models import Group

    from ciic.accounts.models import Role
    from tests.proposals.conftest import make_submitted

    own = make_submitted(author=resident, call=call)
    resident.groups.add(Group.objects.get_or_create(name=Role.ASSESSOR)[0])
    resident = type(resident).objects.get(pk=resident.pk)
    frozen.move_to(BEFORE)
    with pytest.raises(ValidationError):
        services.assessment_assign(actor=staff["administrator"], proposals=[own], assessor=resident)
    frozen.move_to(DURING)
    with pytest.raises(PermissionDenied):
        services.assessment_record(actor=resident, proposal=own, data={"competence": True})
    with pytest.raises(PermissionDenied):
        services.assessment_decide(actor=resident, proposal=own, outcome="eligible")
    frozen.move_to(AFTER)
    with pytest.raises(PermissionDenied):  # nothing is assigned after the assessment phase
        services.assessment_assign(
            actor=staff["administrator"], proposals=[own], assessor=staff["assessor"]
        )


def test_overdue_after_the_due_date(frozen, staff, proposal):
    frozen.move_to(BEFORE)
    services.assessment_assign(
        actor=staff["administrator"], proposals=[proposal], department=None,
        assessor=staff["assessor"], due_date=dt.date(2026, 5, 6),
    )  # fmt: skip
    frozen.move_to(DURING)
    assert not selectors.assessment_queue(call=proposal.call, user=staff["assessor"]).get().overdue
    frozen.move_to(dt.datetime(2026, 5, 7, 9, tzinfo=LOCAL_TZ))
    row = selectors.assessment_queue(
        call=proposal.call, user=staff["assessor"], filters=selectors.QueueFilters(overdue=True)
    ).get()
    assert row.overdue
    assert selectors.dashboard_stats(call=proposal.call)["overdue"] == 1


def test_record_sets_the_assessed_cost_and_starts_the_assessment(frozen, staff, proposal):
    frozen.move_to(DURING)
    services.assessment_record(
        actor=staff["assessor"],
        proposal=proposal,
        data={"competence": True, "competence_basis": "Legea 215/2001", "cost_estimate": "310.000",
              "land_controlled": "yes", "cost_notes": "Oferte de la trei furnizori."},
    )  # fmt: skip
    proposal = _reload(proposal)
    assert proposal.status == S.UNDER_ASSESSMENT
    assert proposal.assessed_cost == Decimal("310000.00")
    assert proposal.ballot_cost == Decimal("310000.00")
    event = Event.objects.get(action="assessment.recorded")
    assert "cost_notes" in event.after["fields"]
    assert "Oferte" not in str(event.after)
    assert not event.public


def test_changes_requested_resubmitted_and_deadline(frozen, staff, proposal, resident):
    from proposals.services import proposal_transition, proposal_update

    frozen.move_to(DURING)
    services.assessment_request_changes(
        actor=staff["assessor"], proposal=proposal, message="Precizați locul exact.",
        deadline=dt.date(2026, 5, 12),
    )  # fmt: skip
    proposal = _reload(proposal)
    assert proposal.status == S.CHANGES_REQUESTED
    job = ScheduledJob.objects.get(key=f"assessment-changes:{proposal.pk}")
    assert job.run_at == dt.datetime(2026, 5, 13, 0, 0, tzinfo=LOCAL_TZ)
    # The details are private; the timeline says only that changes were asked for.
    entries = proposal_timeline_entries(proposal=proposal)
    assert "Precizați" not in str(entries)
    assert "12.05.2026" in entries[-1]["note"]
    email = OutgoingEmail.objects.filter(to=[resident.email]).order_by("-pk").first()
    assert "12.05.2026" in email.body
    proposal_update(actor=resident, proposal=proposal, data={"title": "Loc de joacă, aleea 3"})
    proposal_transition(actor=resident, proposal=proposal, to_status=S.RESUBMITTED)
    # The deadline job finds nothing to do once the author resubmitted.
    frozen.move_to(dt.datetime(2026, 5, 13, 1, tzinfo=LOCAL_TZ))
    assert services.changes_deadline_pass(proposal_id=proposal.pk) is False
    assert _reload(proposal).status == S.RESUBMITTED


def test_after_the_deadline_the_proposal_is_assessed_as_it_stands(frozen, staff, proposal):
    frozen.move_to(DURING)
    services.assessment_request_changes(
        actor=staff["assessor"], proposal=proposal, message="Adăugați o schiță.",
        deadline=dt.date(2026, 5, 12),
    )  # fmt: skip
    frozen.move_to(dt.datetime(2026, 5, 12, 23, 0, tzinfo=LOCAL_TZ))
    assert services.changes_deadline_pass(proposal_id=proposal.pk) is False  # not yet
    frozen.move_to(dt.datetime(2026, 5, 13, 0, 1, tzinfo=LOCAL_TZ))
    from ciic.jobs.tasks import scheduled_jobs_run_due

    scheduled_jobs_run_due()
    proposal = _reload(proposal)
    assert proposal.status == S.UNDER_ASSESSMENT
    assert services.changes_deadline_pass(proposal_id=proposal.pk) is False  # idempotent


def test_decision_without_four_eyes_takes_effect(frozen, staff, proposal):
    frozen.move_to(DURING)
    d = services.assessment_decide(actor=staff["assessor"], proposal=proposal, outcome="eligible")
    assert d.state == Decision.State.CONFIRMED
    assert _reload(proposal).status == S.ELIGIBLE


def test_ineligible_needs_reason_and_public_explanation(frozen, staff, proposal):
    frozen.move_to(DURING)
    with pytest.raises(ValidationError) as exc:
        services.assessment_decide(actor=staff["assessor"], proposal=proposal, outcome="ineligible")
    assert set(exc.value.message_dict) == {"reason", "explanation"}
    services.assessment_decide(
        actor=staff["assessor"], proposal=proposal, outcome="ineligible", reason="land",
        explanation="Terenul aparține Primăriei Generale.",
    )  # fmt: skip
    entry = proposal_timeline_entries(proposal=_reload(proposal))[-1]
    assert entry["status"] == S.INELIGIBLE
    assert "Terenul aparține Primăriei Generale." in entry["note"]


def test_four_eyes(frozen, call, staff, proposal):
    four_eyes(call)
    frozen.move_to(DURING)
    a1, a2 = staff["assessor"], staff["second_assessor"]
    d = services.assessment_decide(actor=a1, proposal=proposal, outcome="eligible")
    assert d.state == Decision.State.PENDING
    assert _reload(proposal).status == S.UNDER_ASSESSMENT
    with pytest.raises(PermissionDenied):  # not by the one who proposed it
        services.decision_confirm(actor=a1, proposal=proposal, approve=True)
    with pytest.raises(PermissionDenied):  # no second decision while one is pending
        services.assessment_decide(actor=a2, proposal=proposal, outcome="eligible")
    with pytest.raises(ValidationError):
        services.decision_confirm(actor=a2, proposal=proposal, approve=False)
    services.decision_confirm(
        actor=a2, proposal=proposal, approve=False, note="Verificați terenul."
    )
    assert Decision.objects.get(pk=d.pk).state == Decision.State.RETURNED
    assert _reload(proposal).status == S.UNDER_ASSESSMENT
    services.assessment_decide(actor=a1, proposal=proposal, outcome="eligible")
    d2 = services.decision_confirm(actor=a2, proposal=proposal, approve=True)
    assert d2.state == Decision.State.CONFIRMED and d2.confirmed_by == a2
    assert _reload(proposal).status == S.ELIGIBLE


def _ineligible(staff, proposal, actor_key="assessor"):  # type: ignore[no-untyped-def]
    return services.assessment_decide(
        actor=staff[actor_key], proposal=proposal, outcome="ineligible", reason="competence",
        explanation="Strada este administrată de PMB.",
    )  # fmt: skip


def test_appeal_upheld_by_a_different_assessor(frozen, staff, proposal, resident):
    frozen.move_to(DURING)
    _ineligible(staff, proposal)
    appeal = services.appeal_lodge(
        actor=resident, proposal=proposal, argument="Strada e a sectorului."
    )
    with pytest.raises(PermissionDenied):  # one appeal per decision
        services.appeal_lodge(actor=resident, proposal=proposal, argument="Încă o dată.")
    with pytest.raises(PermissionDenied):  # not by the assessor who decided
        services.appeal_decide(
            actor=staff["assessor"], proposal=proposal, upheld=True, explanation="x"
        )
    services.appeal_decide(
        actor=staff["second_assessor"], proposal=proposal, upheld=True,
        explanation="Strada este în administrarea sectorului.",
    )  # fmt: skip
    assert Appeal.objects.get(pk=appeal.pk).state == Appeal.State.UPHELD
    assert _reload(proposal).status == S.ELIGIBLE
    labels = [e["label"] for e in proposal_timeline_entries(proposal=_reload(proposal))]
    assert str(labels[-1]) == "Eligible"
    assert "Appeal lodged by the author" in [str(x) for x in labels]


def test_appeal_rejected_is_published_and_emailed(frozen, staff, proposal, resident):
    frozen.move_to(DURING)
    _ineligible(staff, proposal)
    services.appeal_lodge(actor=resident, proposal=proposal, argument="Argument privat.")
    services.appeal_decide(
        actor=staff["second_assessor"], proposal=proposal, upheld=False,
        explanation="Decizia rămâne: strada este a PMB.",
    )  # fmt: skip
    assert _reload(proposal).status == S.INELIGIBLE
    entries = proposal_timeline_entries(proposal=proposal)
    assert entries[-1]["note"] == "Decizia rămâne: strada este a PMB."
    assert "Argument privat." not in str(entries)
    assert OutgoingEmail.objects.filter(
        to=[resident.email], body__contains="Decizia rămâne"
    ).exists()


def test_appeal_window(frozen, staff, proposal, resident):
    frozen.move_to(DURING)
    _ineligible(staff, proposal)
    frozen.move_to(DURING + dt.timedelta(days=5, seconds=1))
    assert not resident.has_perm("assessment.appeal", proposal)
    with pytest.raises(PermissionDenied):
        services.appeal_lodge(actor=resident, proposal=proposal, argument="Prea târziu.")
    frozen.move_to(DURING + dt.timedelta(days=4))
    assert resident.has_perm("assessment.appeal", _reload(proposal))


def test_merged_duplicate_keeps_both_references_and_informs_both_authors(
    frozen, staff, proposal, other_proposal, resident, other_resident
):
    frozen.move_to(DURING)
    with pytest.raises(ValidationError):
        services.assessment_decide(
            actor=staff["assessor"], proposal=other_proposal, outcome="ineligible",
            reason="duplicate", explanation="Aceeași idee.",
        )  # fmt: skip
    services.assessment_decide(
        actor=staff["assessor"], proposal=other_proposal, outcome="ineligible",
        reason="duplicate", explanation="Aceeași idee, în același parc.", duplicate_of=proposal,
    )  # fmt: skip
    assert _reload(other_proposal).status == S.INELIGIBLE
    assert _reload(other_proposal).assessment.duplicate_of == proposal
    for author, mine, other in (
        (resident, proposal, other_proposal),
        (other_resident, other_proposal, proposal),
    ):
        email = OutgoingEmail.objects.filter(
            to=[author.email], body__contains=other.reference
        ).get()
        assert mine.reference in email.body
    outcome = selectors.public_outcome(proposal=proposal)
    assert outcome["merged_from"] == [(other_proposal.reference, other_proposal.title)]
    assert selectors.public_outcome(proposal=other_proposal)["merged_into"] == proposal
    assert other_proposal.reference in str(proposal_timeline_entries(proposal=proposal))


def test_messages_email_the_other_side(frozen, staff, proposal, resident):
    frozen.move_to(BEFORE)
    services.assessment_assign(
        actor=staff["administrator"], proposals=[proposal], assessor=staff["assessor"]
    )
    frozen.move_to(DURING)
    services.message_post(actor=resident, proposal=proposal, body="Am o întrebare despre teren.")
    assert OutgoingEmail.objects.filter(
        to=[staff["assessor"].email], body__contains="întrebare"
    ).exists()
    services.message_post(
        actor=staff["assessor"], proposal=proposal, body="Răspuns: terenul e public."
    )
    assert OutgoingEmail.objects.filter(
        to=[resident.email], body__contains="terenul e public"
    ).exists()
    event = Event.objects.filter(action="assessment.message_posted").last()
    assert "terenul" not in str(event.after) and not event.public
    assert [m.from_staff for m in selectors.thread(proposal=proposal)] == [False, True]
    with pytest.raises(PermissionDenied):
        services.message_post(actor=staff["facilitator"], proposal=proposal, body="Salut")


def test_personal_data_export_and_erase(frozen, staff, proposal, resident):
    from ciic import personal_data

    frozen.move_to(DURING)
    services.message_post(actor=resident, proposal=proposal, body="Mesajul meu.")
    services.message_post(actor=staff["assessor"], proposal=proposal, body="Răspunsul primăriei.")
    section = next(s for s in personal_data.sections() if s.key == "assessment")
    data = section.exporter()(resident)
    assert [m["body"] for m in data["messages"]] == ["Mesajul meu."]
    section.eraser()(resident)
    assert [m.body for m in selectors.thread(proposal=proposal)] == ["Răspunsul primăriei."]
