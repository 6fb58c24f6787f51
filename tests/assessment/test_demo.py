"""seed_demo leaves proposals in every assessment state, through the services."""

from django.core.management import call_command

from proposals.assessment import selectors
from proposals.assessment.demo import CALL_SLUG
from proposals.assessment.models import Appeal, Decision
from proposals.models import Call, Proposal

S = Proposal.Status


def test_demo_has_every_assessment_state(db, home_page):
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    call = Call.objects.get(slug=CALL_SLUG)
    q = selectors.QueueFilters
    user = None

    def refs(**filters):  # type: ignore[no-untyped-def]
        return list(selectors.assessment_queue(call=call, user=user, filters=q(**filters)))

    assert len(refs(status="unassigned")) == 1
    assert len(refs(overdue=True)) == 1
    assert [p.status for p in refs(status=S.CHANGES_REQUESTED)] == [S.CHANGES_REQUESTED]
    assert (
        refs(status="pending")
        and Decision.objects.filter(proposal__call=call, state="pending").count() == 1
    )
    assert Appeal.objects.filter(proposal__call=call, state="open").count() == 1
    assert Appeal.objects.filter(proposal__call=call, state="rejected").count() == 1
    ineligible = Decision.objects.filter(
        proposal__call=call, state="confirmed", outcome="ineligible"
    )
    assert all(d.explanation for d in ineligible)
    assert ineligible.filter(reason="duplicate", duplicate_of__isnull=False).count() == 1
    assert Proposal.objects.filter(
        call=call, status=S.ELIGIBLE, assessed_cost__isnull=False
    ).exists()
    stats = selectors.dashboard_stats(call=call)
    assert stats["median_days"] is not None and stats["load"]
    before = list(Proposal.objects.filter(call=call).values_list("reference", "status"))
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert list(Proposal.objects.filter(call=call).values_list("reference", "status")) == before
