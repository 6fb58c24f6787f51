"""Drafts are private to their author, for everyone (superusers included), and
so are their files; public proposals and their files stay public."""

import pytest
from django.urls import reverse

from ciic.accounts.models import Role
from proposals.models import Proposal
from proposals.services import proposal_attachment_add, proposal_image_add
from tests.auth import add_totp, login
from tests.factories import UserFactory

from .conftest import PDF_BYTES, image_bytes, make_draft, make_submitted, staff_with_totp, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser():  # type: ignore[no-untyped-def]
    """The demo administrator's shape: superuser, Django staff, administrator role, TOTP."""
    return add_totp(UserFactory(is_superuser=True, is_staff=True, roles=[Role.ADMINISTRATOR]))


@pytest.fixture
def draft(call, resident):  # type: ignore[no-untyped-def]
    return make_draft(author=resident, call=call, title="Ciornă secretă")


def test_superuser_cannot_open_or_change_another_residents_draft(client, draft, superuser):
    login(client, superuser)  # password and TOTP: a full staff session
    for step in ("what", "where", "cost", "files", "review"):
        assert client.get(f"/proposals/edit/{draft.pk}/{step}/").status_code == 403, step
    response = client.post(f"/proposals/edit/{draft.pk}/what/", {"title": "Schimbat de admin"})
    assert response.status_code == 403
    assert client.post(f"/proposals/edit/{draft.pk}/submit/").status_code == 403
    assert client.post(f"/proposals/edit/{draft.pk}/delete/").status_code == 403
    draft.refresh_from_db()
    assert draft.title == "Ciornă secretă" and draft.status == Proposal.Status.DRAFT


def test_author_still_edits_the_draft(client, draft, resident):
    login(client, resident)
    assert client.get(f"/proposals/edit/{draft.pk}/what/").status_code == 200


def test_drafts_are_neither_listed_nor_readable_in_the_django_admin(
    client, call, draft, resident, superuser
):
    public = make_submitted(author=resident, call=call, title="Propunere publică")
    login(client, superuser)
    listing = client.get("/django-admin/proposals/proposal/")
    assert listing.status_code == 200
    body = listing.content.decode()
    assert "Propunere publică" in body and "Ciornă secretă" not in body
    page = client.get(f"/django-admin/proposals/proposal/{draft.pk}/change/", follow=True)
    assert "Ciornă secretă" not in page.content.decode()
    assert page.redirect_chain  # the admin answers as for a proposal that does not exist
    assert client.get(f"/django-admin/proposals/proposal/{public.pk}/change/").status_code == 200


@pytest.mark.parametrize("who", ["superuser", "assessor", "other_resident"])
def test_edit_button_only_for_the_author(client, call, resident, other_resident, superuser, who):
    proposal = make_submitted(author=resident, call=call)
    viewer = {
        "superuser": superuser,
        "assessor": staff_with_totp(Role.ASSESSOR),
        "other_resident": other_resident,
    }[who]
    login(client, viewer)
    body = client.get(proposal.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Edit my proposal" not in body
    assert client.get(f"/proposals/edit/{proposal.pk}/what/").status_code == 403
    login(client, resident)
    body = client.get(proposal.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Edit my proposal" in body


# --- files ---------------------------------------------------------------------------


def _files(proposal, author):  # type: ignore[no-untyped-def]
    image = proposal_image_add(
        actor=author, proposal=proposal, upload=upload("a.jpg", image_bytes())
    )
    doc = proposal_attachment_add(
        actor=author, proposal=proposal, upload=upload("plan.pdf", PDF_BYTES)
    )
    return image.file.url, doc.file.url


def test_draft_files_are_served_only_to_their_author(
    client, draft, resident, other_resident, superuser
):
    image_url, doc_url = _files(draft, resident)
    assert image_url.startswith(f"/media/proposals/draft-{draft.pk}/")
    for url in (image_url, doc_url):
        assert client.get(url).status_code == 404  # anonymous
    for viewer in (other_resident, superuser):
        login(client, viewer)
        for url in (image_url, doc_url):
            assert client.get(url).status_code == 404, (viewer, url)
    login(client, resident)
    response = client.get(image_url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["Cache-Control"] == "private, no-store"
    assert b"".join(response.streaming_content)[:3] == b"\xff\xd8\xff"
    response = client.get(doc_url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "plan.pdf" in response["Content-Disposition"]


def test_public_files_stay_public_and_cacheable(client, call, resident):
    proposal = make_submitted(author=resident, call=call)
    image_url, doc_url = _files(proposal, resident)
    for url in (image_url, doc_url):
        response = client.get(url)
        assert response.status_code == 200
        assert response["Cache-Control"] == "public, max-age=3600"
    body = client.get(proposal.get_absolute_url()).content.decode()
    assert image_url in body and doc_url in body


def test_files_submitted_later_become_public(client, draft, resident):
    from proposals.services import proposal_submit

    image_url, _doc_url = _files(draft, resident)
    assert client.get(image_url).status_code == 404
    proposal_submit(actor=resident, proposal=draft)
    assert client.get(image_url).status_code == 200


def test_unknown_or_crafted_names_are_not_found(client, draft, resident):
    _files(draft, resident)
    login(client, resident)
    for url in (
        "/media/proposals/nope.jpg",
        f"/media/proposals/draft-{draft.pk}/../../../etc/passwd",
        "/media/proposals/%2e%2e/settings.py",
    ):
        assert client.get(url).status_code == 404, url


def test_with_x_accel_redirect_nginx_sends_the_bytes(
    client, draft, resident, other_resident, settings
):
    settings.MEDIA_X_ACCEL_REDIRECT = "/internal-media/"
    image_url, _doc_url = _files(draft, resident)
    login(client, other_resident)
    response = client.get(image_url)
    assert response.status_code == 404 and "X-Accel-Redirect" not in response
    login(client, resident)
    response = client.get(image_url)
    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == "/internal-media/" + image_url.removeprefix("/media/")
    assert response.content == b""
    assert reverse("proposals:file", kwargs={"name": "x.jpg"}) == "/media/proposals/x.jpg"
