"""The path to proposing: what is still missing, "My proposals", the draft's
deletion behind a confirmation page, errors that name the field, the cost as typed."""

import pytest
from allauth.account.models import EmailAddress

from ciic.eligibility.models import ResidentProfile
from proposals.models import Proposal
from tests.auth import login
from tests.factories import UserFactory

from .conftest import image_bytes, make_draft, make_submitted, upload

pytestmark = pytest.mark.django_db


def _steps(response):  # type: ignore[no-untyped-def]
    return {s.key: s for s in response.context["steps"]}


def test_a_visitor_sees_every_step_and_starts_with_sign_up(client, call):
    response = client.get("/propose/")
    assert response.status_code == 200
    steps = _steps(response)
    assert [s.done for s in steps.values()] == [False] * 5
    assert response.context["current"].key == "account"
    html = response.content.decode()
    assert "/accounts/signup/?next=%2Fpropose%2F" in html
    assert "/accounts/login/?next=/propose/" in html
    # Verification is explained: online with the CNP, or at the desk (address, hours).
    assert "CNP" in html and "Calea Plevnei" in html and "8:30" in html


def test_a_new_account_is_led_to_the_profile_then_to_verification(client, call):
    user = UserFactory()
    login(client, user)
    response = client.get("/propose/")
    assert response.context["current"].key == "profile"
    assert "/me/profile/?next=%2Fpropose%2F" in response.content.decode()
    ResidentProfile.objects.create(
        user=user, full_name="Ana Pop", date_of_birth="1990-05-17", address="Str. X 1"
    )
    response = client.get("/propose/")
    steps = _steps(response)
    assert steps["profile"].done and not steps["verification"].done
    assert response.context["current"].key == "verification"


def test_the_profile_form_returns_to_the_path(client, call):
    user = UserFactory()
    login(client, user)
    response = client.post(
        "/me/profile/?next=/propose/",
        {"full_name": "Ana Pop", "date_of_birth": "1990-05-17", "address": "Str. X 1"},
    )
    assert response.status_code == 302 and response["Location"] == "/propose/"
    # Not to another host.
    response = client.post(
        "/me/profile/?next=https://evil.example/",
        {"full_name": "Ana Pop", "date_of_birth": "1990-05-17", "address": "Str. X 1"},
    )
    assert response["Location"] == "/me/"


def test_a_verified_resident_goes_straight_to_the_form(client, call, resident):
    login(client, resident)
    response = client.get("/propose/")
    assert response.status_code == 302
    assert response["Location"] == f"/proposals/new/{call.slug}/"


def test_the_header_offers_propose_to_everyone_and_my_proposals_to_residents(
    client, call, resident, home_page
):
    html = client.get("/").content.decode()
    assert 'href="/propose/"' in html and "/proposals/mine/" not in html
    login(client, resident)
    html = client.get("/").content.decode()
    assert 'href="/propose/"' in html and 'href="/proposals/mine/"' in html


def test_a_blocked_start_says_why_and_links_to_what_to_do(client, call):
    user = UserFactory()
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    login(client, user)
    response = client.get(f"/proposals/new/{call.slug}/", follow=True)
    html = response.content.decode()
    assert 'href="/propose/"' in html.split('class="messages"')[1].split("</ul>")[0]


def test_my_proposals_on_the_account_page_with_status_and_next_step(client, call, resident):
    draft = make_draft(author=resident, call=call, title="Bănci noi")
    login(client, resident)
    html = client.get("/me/").content.decode()
    assert "Bănci noi" in html and "Complete it and submit it" in html
    assert f"/proposals/edit/{draft.pk}/review/" in html
    html = client.get("/proposals/mine/").content.decode()
    assert "Complete it and submit it" in html


def test_draft_saved_links_to_my_proposals(client, call, resident):
    login(client, resident)
    response = client.post(
        f"/proposals/new/{call.slug}/",
        {"title": "Un titlu", "summary": "Un rezumat.", "description": "", "category": "mediu"},
        follow=True,
    )
    messages = [str(m) for m in response.context["messages"]]
    assert any('href="/proposals/mine/"' in m for m in messages)


def test_deleting_a_draft_asks_for_confirmation_first(client, call, resident):
    draft = make_draft(author=resident, call=call)
    login(client, resident)
    review = client.get(f"/proposals/edit/{draft.pk}/review/").content.decode()
    assert f'href="/proposals/edit/{draft.pk}/delete/"' in review
    page = client.get(f"/proposals/edit/{draft.pk}/delete/")
    assert page.status_code == 200
    assert Proposal.objects.filter(pk=draft.pk).exists()
    assert f'action="/proposals/edit/{draft.pk}/delete/"' in page.content.decode()
    response = client.post(f"/proposals/edit/{draft.pk}/delete/")
    assert response.status_code == 302
    assert not Proposal.objects.filter(pk=draft.pk).exists()


def test_the_review_step_names_each_missing_field_and_links_to_its_step(client, call, resident):
    draft = make_draft(author=resident, call=call, cost_estimate=None, consent_publication=False)
    login(client, resident)
    html = client.get(f"/proposals/edit/{draft.pk}/review/").content.decode()
    assert f'<a href="/proposals/edit/{draft.pk}/cost/">Cost estimate (RON)</a>:' in html
    assert f'href="/proposals/edit/{draft.pk}/files/">Consent to publication' in html


def test_a_refused_submission_names_the_field(client, call, resident):
    draft = make_draft(author=resident, call=call, consent_publication=False)
    login(client, resident)
    response = client.post(f"/proposals/edit/{draft.pk}/submit/", follow=True)
    messages = [str(m) for m in response.context["messages"]]
    assert any(m.startswith("Consent to publication: ") for m in messages), messages


def test_the_cost_comes_back_as_typed(client, call, resident):
    draft = make_draft(author=resident, call=call)
    login(client, resident)
    client.post(f"/proposals/edit/{draft.pk}/cost/", {"cost_estimate": "180.000"})
    draft.refresh_from_db()
    assert str(draft.cost_estimate) == "180000.00"
    html = client.get(f"/proposals/edit/{draft.pk}/cost/").content.decode()
    assert 'value="180.000"' in html and "180000.00" not in html


def test_cards_show_the_first_photo_lazily_with_alt_text(client, call, resident, home_page):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from proposals.services import proposal_image_add

    plain = make_submitted(author=resident, call=call, title="Fără poze")
    with_photo = make_draft(author=resident, call=call, title="Cu poze")
    first = proposal_image_add(
        actor=resident,
        proposal=with_photo,
        upload=upload("a.jpg", image_bytes(size=(120, 90)), "image/jpeg"),
        alt_text="Aleea cu bănci rupte",
    )
    proposal_image_add(
        actor=resident, proposal=with_photo, upload=upload("b.jpg", image_bytes(), "image/jpeg")
    )
    from proposals.services import proposal_submit

    proposal_submit(actor=resident, proposal=with_photo)
    for path in ("/proposals/", "/"):
        html = client.get(path).content.decode()
        assert html.count('class="proposal-card-photo"') == 1, path
        tag = html.split('class="proposal-card-photo"')[1].split(">")[0]
        assert first.file.url in tag
        assert 'alt="Aleea cu bănci rupte"' in tag and 'loading="lazy"' in tag
        assert 'width="120" height="90"' in tag
    # One query for the photos of the whole page, however many cards have one.
    with CaptureQueriesContext(connection) as few:
        client.get("/proposals/")
    for i in range(3):
        p = make_draft(author=resident, call=call, title=f"Alta {i}")
        proposal_image_add(
            actor=resident, proposal=p, upload=upload("c.jpg", image_bytes(), "image/jpeg")
        )
        proposal_submit(actor=resident, proposal=p)
    with CaptureQueriesContext(connection) as more:
        client.get("/proposals/")
    assert len(more.captured_queries) == len(few.captured_queries)
    assert plain.title in html
