import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from ciic.accounts.models import Role
from ciic.audit.models import Event
from ciic.notifications.models import OutgoingEmail
from proposals import services
from proposals.models import LOCAL_TZ, Proposal, ReferenceCounter
from proposals.services import (
    proposal_draft_create,
    proposal_draft_delete,
    proposal_submit,
    proposal_transition,
    proposal_update,
)
from tests.factories import UserFactory, staff_user

from .conftest import (
    INSIDE_MILITARI,
    OUTSIDE,
    call_kwargs,
    make_draft,
    make_resident,
    make_submitted,
)

S = Proposal.Status
pytestmark = pytest.mark.django_db


# --- calls ------------------------------------------------------------------------


def test_call_create_makes_counter_and_categories(call):
    assert ReferenceCounter.objects.get(call=call).last_number == 0
    assert "mediu" in call.accepted_categories()
    assert "altele" not in call.accepted_categories()


@pytest.mark.parametrize(
    "field,value",
    [
        ("submission_end", dt.date(2026, 2, 1)),  # before its start
        ("assessment_start", dt.date(2026, 4, 30)),  # overlaps submission
        ("voting_start", dt.date(2026, 5, 31)),  # overlaps assessment
        ("results_date", dt.date(2026, 6, 20)),  # on the last voting day
        ("implementation_start", dt.date(2026, 6, 24)),  # before results
    ],
)
def test_call_phases_must_be_ordered(frozen, areas, field, value):
    with pytest.raises(ValidationError) as exc:
        services.call_create(actor=None, **call_kwargs(**{field: value}))
    assert field in exc.value.message_dict


def test_call_needs_categories_and_sane_amounts(frozen, areas):
    with pytest.raises(ValidationError):
        services.call_create(actor=None, **call_kwargs(categories={}))
    with pytest.raises(ValidationError) as exc:
        services.call_create(actor=None, **call_kwargs(max_cost_per_proposal=Decimal("9000000")))
    assert "max_cost_per_proposal" in exc.value.message_dict


# --- drafts and content -------------------------------------------------------------


def test_draft_has_no_reference_and_is_private(call, resident):
    draft = make_draft(author=resident, call=call)
    assert draft.status == S.DRAFT
    assert draft.reference == "" and draft.number is None
    assert not Proposal.objects.public().filter(pk=draft.pk).exists()
    assert draft.zone.slug == "drumul-taberei"


@pytest.mark.parametrize(
    "raw,message",
    [
        ("-5", "more than 0"),
        ("0", "more than 0"),
        ("500000.01", "maximum"),
        ("abc", "number"),
        ("0.001", "180.000,50"),  # was read as 1 leu
        ("1.2.3", "180.000,50"),  # was read as 123
        ("1,234", "180.000,50"),
        ("NaN", "number"),
        ("Infinity", "number"),
    ],
)
def test_bad_cost_is_refused_and_nothing_changes(call, resident, raw, message):
    draft = make_draft(author=resident, call=call)
    with pytest.raises(ValidationError) as exc:
        proposal_update(actor=resident, proposal=draft, data={"cost_estimate": raw, "title": "Nou"})
    assert message in " ".join(exc.value.message_dict["cost_estimate"])
    draft.refresh_from_db()
    assert draft.cost_estimate == Decimal("250000") and draft.title != "Nou"


def test_cost_equal_to_maximum_is_accepted(call, resident):
    draft = make_draft(author=resident, call=call, cost_estimate="500000")
    assert draft.cost_estimate == Decimal("500000.00")


def test_category_not_accepted_by_call(call, resident):
    with pytest.raises(ValidationError) as exc:
        make_draft(author=resident, call=call, category="altele")
    assert "category" in exc.value.message_dict
    assert not Proposal.objects.exists()


def test_unknown_category_refused(call, resident):
    with pytest.raises(ValidationError) as exc:
        make_draft(author=resident, call=call, category="weapons")
    assert "category" in exc.value.message_dict


def test_point_outside_sector_is_refused(call, resident):
    draft = make_draft(author=resident, call=call)
    with pytest.raises(ValidationError) as exc:
        proposal_update(actor=resident, proposal=draft, data={**OUTSIDE, "whole_sector": False})
    assert "outside Sector 6" in " ".join(exc.value.message_dict["latitude"])
    draft.refresh_from_db()
    assert draft.zone.slug == "drumul-taberei"


def test_location_stores_zone_or_whole_sector(call, resident):
    draft = make_draft(author=resident, call=call)
    draft = proposal_update(
        actor=resident, proposal=draft, data={**INSIDE_MILITARI, "whole_sector": False}
    )
    assert draft.zone.slug.startswith("militari")
    draft = proposal_update(
        actor=resident,
        proposal=draft,
        data={"whole_sector": True, "latitude": 44.43, "longitude": 26.03},
    )
    assert draft.whole_sector and draft.latitude is None and draft.zone is None


def test_title_and_summary_lengths(call, resident):
    draft = make_draft(author=resident, call=call)
    with pytest.raises(ValidationError) as exc:
        proposal_update(
            actor=resident, proposal=draft, data={"title": "x" * 121, "summary": "y" * 501}
        )
    assert {"title", "summary"} <= set(exc.value.message_dict)


def test_script_tags_are_stored_as_typed(call, resident):
    draft = make_draft(author=resident, call=call, title="<script>alert(1)</script>Parc")
    assert draft.title == "<script>alert(1)</script>Parc"  # escaped on render, see test_views


def test_only_author_may_edit(call, resident, other_resident):
    draft = make_draft(author=resident, call=call)
    with pytest.raises(PermissionDenied):
        proposal_update(actor=other_resident, proposal=draft, data={"title": "Furat"})
    with pytest.raises(PermissionDenied):
        proposal_draft_delete(actor=other_resident, proposal=draft)


def test_draft_delete(call, resident):
    draft = make_draft(author=resident, call=call)
    proposal_draft_delete(actor=resident, proposal=draft)
    assert not Proposal.objects.filter(pk=draft.pk).exists()
    submitted = make_submitted(author=resident, call=call)
    with pytest.raises(PermissionDenied):
        proposal_draft_delete(actor=resident, proposal=submitted)


# --- submission ----------------------------------------------------------------------


def test_submit_allocates_reference_and_records(call, resident, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        p1 = make_submitted(author=resident, call=call)
        p2 = make_submitted(author=resident, call=call, title="Piste de biciclete în Militari")
    assert (p1.reference, p2.reference) == ("S6-2026-0001", "S6-2026-0002")
    assert p1.status == S.SUBMITTED and p1.submitted_at is not None
    assert p1.get_absolute_url() == "/proposals/S6-2026-0001/"
    assert p1.versions.count() == 1
    events = Event.objects.for_object(p1).filter(action="proposal.status_changed")
    assert events.get().public and events.get().after["status"] == S.SUBMITTED
    assert len(mail.outbox) == 2
    assert "S6-2026-0001" in mail.outbox[0].subject


def test_drafts_do_not_burn_numbers(call, resident):
    make_draft(author=resident, call=call)
    make_draft(author=resident, call=call)
    assert make_submitted(author=resident, call=call).reference == "S6-2026-0001"


def test_failed_submission_rolls_back_its_number(call, resident):
    draft = make_draft(author=resident, call=call, consent_publication=False)
    with pytest.raises(ValidationError) as exc:
        proposal_submit(actor=resident, proposal=draft)
    assert "consent_publication" in exc.value.message_dict
    assert ReferenceCounter.objects.get(call=call).last_number == 0
    assert make_submitted(author=resident, call=call).reference == "S6-2026-0001"


def test_incomplete_draft_cannot_be_submitted(call, resident):
    draft = proposal_draft_create(
        actor=resident, call=call, title="T", summary="S", category="mediu"
    )
    with pytest.raises(ValidationError) as exc:
        proposal_submit(actor=resident, proposal=draft)
    assert {"cost_estimate", "latitude", "consent_publication"} <= set(exc.value.message_dict)
    draft.refresh_from_db()
    assert draft.status == S.DRAFT


def test_deadline_is_precise_to_the_second(call, resident, frozen):
    d1 = make_draft(author=resident, call=call)
    d2 = make_draft(author=resident, call=call)
    frozen.move_to(dt.datetime(2026, 4, 30, 23, 59, 59, tzinfo=LOCAL_TZ))
    assert proposal_submit(actor=resident, proposal=d1).status == S.SUBMITTED
    frozen.move_to(dt.datetime(2026, 5, 1, 0, 0, 0, tzinfo=LOCAL_TZ))
    with pytest.raises(ValidationError) as exc:
        proposal_submit(actor=resident, proposal=d2)
    assert exc.value.code == "closed"
    d2.refresh_from_db()
    assert d2.status == S.DRAFT


def test_before_opening_nothing_can_be_started(call, resident, frozen):
    frozen.move_to(dt.datetime(2026, 2, 28, 23, 59, 59, tzinfo=LOCAL_TZ))
    with pytest.raises(ValidationError) as exc:
        proposal_draft_create(actor=resident, call=call, title="T", summary="S", category="mediu")
    assert exc.value.code == "not_open"


def test_sixth_proposal_over_the_limit(call, resident, other_resident):
    for i in range(5):
        make_submitted(author=resident, call=call, title=f"Propunerea {i}")
    sixth = make_draft(author=resident, call=call)
    with pytest.raises(ValidationError) as exc:
        proposal_submit(actor=resident, proposal=sixth)
    assert exc.value.code == "limit_reached"
    sixth.refresh_from_db()
    assert sixth.status == S.DRAFT
    # Another resident is not affected, and numbers stay gapless.
    assert make_submitted(author=other_resident, call=call).reference == "S6-2026-0006"


def test_unverified_user_cannot_submit(call):
    user = UserFactory()
    with pytest.raises(ValidationError) as exc:
        proposal_draft_create(actor=user, call=call, title="T", summary="S", category="mediu")
    assert exc.value.code == "unverified"


def test_age_is_checked_on_the_day_of_submission(call, frozen):
    # Turns 18 on 20 March 2026; verified (as a 17-year-old) in January.
    frozen.move_to(dt.datetime(2026, 1, 10, 12, tzinfo=LOCAL_TZ))
    teen = make_resident(born=dt.date(2008, 3, 20))
    frozen.move_to(dt.datetime(2026, 3, 19, 12, tzinfo=LOCAL_TZ))
    with pytest.raises(ValidationError) as exc:
        proposal_draft_create(actor=teen, call=call, title="T", summary="S", category="mediu")
    assert exc.value.code == "under_18"
    frozen.move_to(dt.datetime(2026, 3, 20, 9, tzinfo=LOCAL_TZ))
    assert make_submitted(author=teen, call=call).status == S.SUBMITTED


def test_eligibility_is_rechecked_at_submission(call, resident):
    from ciic.eligibility.services import verification_revoke

    draft = make_draft(author=resident, call=call)
    verification = resident.verifications.get()
    verification_revoke(
        actor=staff_user(Role.ADMINISTRATOR), verification=verification, reason="Adresă greșită"
    )
    with pytest.raises(ValidationError) as exc:
        proposal_submit(actor=resident, proposal=draft)
    assert exc.value.code == "revoked"


def test_cannot_submit_someone_elses_draft(call, resident, other_resident):
    draft = make_draft(author=resident, call=call)
    with pytest.raises(PermissionDenied):
        proposal_submit(actor=other_resident, proposal=draft)


# --- editing and versions ---------------------------------------------------------------


def test_edit_after_submission_keeps_versions(call, resident):
    p = make_submitted(author=resident, call=call)
    proposal_update(
        actor=resident, proposal=p, data={"title": "Titlu nou", "cost_estimate": "300000"}
    )
    proposal_update(
        actor=resident, proposal=p, data={"title": "Titlu nou"}
    )  # no change, no version
    versions = list(p.versions.order_by("number"))
    assert [v.number for v in versions] == [1, 2]
    assert versions[0].data["title"].startswith("Loc de joacă")
    assert (
        versions[1].data["title"] == "Titlu nou"
        and versions[1].data["cost_estimate"] == "300000.00"
    )
    edited = Event.objects.for_object(p).get(action="proposal.edited")
    assert (
        edited.public and edited.before["title"].startswith("Loc") and "summary" not in edited.after
    )


def test_no_edit_once_assessment_starts(call, resident, frozen):
    p = make_submitted(author=resident, call=call)
    frozen.move_to(dt.datetime(2026, 5, 1, 0, 0, 1, tzinfo=LOCAL_TZ))
    with pytest.raises(PermissionDenied):
        proposal_update(actor=resident, proposal=p, data={"title": "Prea târziu"})


def test_edit_when_changes_requested_then_resubmit(call, resident, frozen):
    assessor = staff_user(Role.ASSESSOR)
    p = make_submitted(author=resident, call=call)
    frozen.move_to(dt.datetime(2026, 5, 5, 10, tzinfo=LOCAL_TZ))
    proposal_transition(actor=assessor, proposal=p, to_status=S.UNDER_ASSESSMENT)
    with pytest.raises(PermissionDenied):
        proposal_update(actor=resident, proposal=p, data={"title": "În evaluare"})
    proposal_transition(actor=assessor, proposal=p, to_status=S.CHANGES_REQUESTED, note="Costul?")
    proposal_update(actor=resident, proposal=p, data={"cost_estimate": "100000"})
    p = proposal_transition(actor=resident, proposal=p, to_status=S.RESUBMITTED)
    assert p.status == S.RESUBMITTED and p.versions.count() == 2


# --- transitions ----------------------------------------------------------------------


def test_transition_requires_note_for_ineligible(call, resident):
    assessor = staff_user(Role.ASSESSOR)
    p = make_submitted(author=resident, call=call)
    proposal_transition(actor=assessor, proposal=p, to_status=S.UNDER_ASSESSMENT)
    with pytest.raises(ValidationError) as exc:
        proposal_transition(actor=assessor, proposal=p, to_status=S.INELIGIBLE, note="  ")
    assert "note" in exc.value.message_dict
    p = proposal_transition(
        actor=assessor, proposal=p, to_status=S.INELIGIBLE, note="Terenul aparține PMB."
    )
    event = Event.objects.for_object(p).filter(action="proposal.status_changed").last()
    assert event.after == {"status": S.INELIGIBLE, "note": "Terenul aparține PMB."}


def test_impossible_transition(call, resident):
    admin = staff_user(Role.ADMINISTRATOR)
    p = make_submitted(author=resident, call=call)
    with pytest.raises(ValidationError) as exc:
        proposal_transition(actor=admin, proposal=p, to_status=S.SELECTED)
    assert exc.value.code == "invalid_transition"
    with pytest.raises(ValidationError):
        proposal_transition(actor=admin, proposal=p, to_status="bogus")


def test_staff_never_decide_on_their_own_proposal(call, frozen):
    frozen.shift(dt.timedelta(days=-300))
    assessor = make_resident()
    assessor.groups.add(Group.objects.get(name=Role.ASSESSOR))  # the migrations create it
    frozen.shift(dt.timedelta(days=300))
    p = make_submitted(author=assessor, call=call)
    with pytest.raises(PermissionDenied):
        proposal_transition(actor=assessor, proposal=p, to_status=S.UNDER_ASSESSMENT)


def _walk_to(status, p, admin, assessor):  # type: ignore[no-untyped-def]
    path = {
        S.SUBMITTED: [],
        S.UNDER_ASSESSMENT: [S.UNDER_ASSESSMENT],
        S.CHANGES_REQUESTED: [S.UNDER_ASSESSMENT, S.CHANGES_REQUESTED],
        S.RESUBMITTED: [S.UNDER_ASSESSMENT, S.CHANGES_REQUESTED, "resubmit"],
        S.ELIGIBLE: [S.UNDER_ASSESSMENT, S.ELIGIBLE],
        S.INELIGIBLE: [S.UNDER_ASSESSMENT, S.INELIGIBLE],
        S.ON_BALLOT: [S.UNDER_ASSESSMENT, S.ELIGIBLE, S.ON_BALLOT],
        S.SELECTED: [S.UNDER_ASSESSMENT, S.ELIGIBLE, S.ON_BALLOT, S.SELECTED],
        S.IN_IMPLEMENTATION: [
            S.UNDER_ASSESSMENT, S.ELIGIBLE, S.ON_BALLOT, S.SELECTED, S.IN_IMPLEMENTATION,
        ],
    }[status]  # fmt: skip
    for step in path:
        if step == "resubmit":
            p = proposal_transition(actor=p.author, proposal=p, to_status=S.RESUBMITTED)
            continue
        p = proposal_transition(actor=admin, proposal=p, to_status=step, note="motiv")
    return p


ROLES = ["author", "other_resident", "facilitator", "assessor", "administrator", "system"]
# Expected: which roles may make each transition (beyond submit, tested above).
EXPECTED = {
    (S.SUBMITTED, S.UNDER_ASSESSMENT): {"assessor", "administrator", "system"},
    (S.UNDER_ASSESSMENT, S.CHANGES_REQUESTED): {"assessor", "administrator"},
    (S.RESUBMITTED, S.UNDER_ASSESSMENT): {"assessor", "administrator", "system"},
    (S.CHANGES_REQUESTED, S.RESUBMITTED): {"author"},
    (S.UNDER_ASSESSMENT, S.ELIGIBLE): {"assessor", "administrator"},
    (S.UNDER_ASSESSMENT, S.INELIGIBLE): {"assessor", "administrator"},
    # The assessment: a passed deadline for changes, an appeal upheld.
    (S.CHANGES_REQUESTED, S.UNDER_ASSESSMENT): {"system"},
    (S.INELIGIBLE, S.ELIGIBLE): {"assessor", "administrator"},
    (S.ELIGIBLE, S.ON_BALLOT): {"administrator", "system"},
    (S.ON_BALLOT, S.SELECTED): {"administrator", "system"},
    (S.ON_BALLOT, S.NOT_SELECTED): {"administrator", "system"},
    (S.SELECTED, S.IN_IMPLEMENTATION): {"administrator", "system"},
    (S.IN_IMPLEMENTATION, S.COMPLETED): {"administrator", "system"},
}


def test_transition_table_matches_expectations():
    import rules

    assert {k for k in services.TRANSITIONS if k[0] != S.DRAFT} == set(EXPECTED)
    # Each move names the rule that allows it.
    assert all(rules.perm_exists(rule) for rule in services.TRANSITIONS.values())


@pytest.mark.parametrize("transition", list(EXPECTED), ids=lambda t: f"{t[0]}->{t[1]}")
def test_role_transition_matrix(call, resident, other_resident, transition):
    frm, to = transition
    admin = staff_user(Role.ADMINISTRATOR)
    actors = {
        "author": resident,
        "other_resident": other_resident,
        "facilitator": staff_user(Role.FACILITATOR),
        "assessor": staff_user(Role.ASSESSOR),
        "administrator": staff_user(Role.ADMINISTRATOR),
        "system": None,
    }
    base = make_submitted(author=resident, call=call)
    base = _walk_to(frm, base, admin, actors["assessor"])
    for role in ROLES:
        p = Proposal.objects.get(pk=base.pk)
        assert p.status == frm
        allowed = services.transition_allowed(actor=actors[role], proposal=p, to_status=to)
        assert allowed == (role in EXPECTED[transition]), role
        if not allowed:
            with pytest.raises(PermissionDenied):
                proposal_transition(actor=actors[role], proposal=p, to_status=to, note="n")
            assert Proposal.objects.get(pk=p.pk).status == frm
    # And the allowed move really happens, with a public event and a notification.
    who = sorted(EXPECTED[transition])[0]
    p = proposal_transition(actor=actors[who], proposal=base, to_status=to, note="n")
    assert p.status == to
    event = Event.objects.for_object(p).filter(action="proposal.status_changed").last()
    assert event.public and event.after["status"] == to
    assert OutgoingEmail.objects.filter(key=f"proposal-status:{event.pk}", user=p.author).exists()
