"""Races that only a real database shows: run on PostgreSQL (DATABASE_URL)."""

import pytest
from django.core.exceptions import ValidationError

from proposals.models import Proposal
from proposals.services import proposal_submit
from tests.concurrency import race

from .conftest import make_draft, make_resident

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_concurrent_submitters_get_gapless_unique_references(call, frozen):
    n = 10
    drafts = []
    for i in range(n):
        author = make_resident()
        drafts.append(make_draft(author=author, call=call, title=f"Propunere {i}"))
    results = race([lambda d=d: proposal_submit(actor=d.author, proposal=d) for d in drafts])
    assert not [r for r in results if isinstance(r, Exception)], results
    numbers = sorted(Proposal.objects.filter(call=call).values_list("number", flat=True))
    assert numbers == list(range(1, n + 1))
    refs = set(Proposal.objects.values_list("reference", flat=True))
    assert refs == {f"S6-2026-{i:04d}" for i in range(1, n + 1)}


def test_per_resident_limit_holds_under_concurrency(call, frozen):
    call.max_proposals_per_resident = 2
    call.save()
    author = make_resident()
    drafts = [make_draft(author=author, call=call, title=f"P{i}") for i in range(5)]
    results = race([lambda d=d: proposal_submit(actor=author, proposal=d) for d in drafts])
    ok = [r for r in results if isinstance(r, Proposal)]
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert len(ok) == 2 and len(refused) == 3, results
    assert all(r.code == "limit_reached" for r in refused)
    assert Proposal.objects.public().filter(author=author).count() == 2
    # The refused ones burned no number.
    assert sorted(Proposal.objects.public().values_list("number", flat=True)) == [1, 2]
