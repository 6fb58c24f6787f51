"""The staff outbox page: administrators (second factor) see what was sent to
whom and whether it was delivered; the text only where settings allow it."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ciic.accounts.models import Role
from ciic.links import site_url
from ciic.notifications.models import OutgoingEmail
from ciic.notifications.services import email_queue, notify
from tests.accounts.conftest import make_account
from tests.auth import login
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):  # type: ignore[no-untyped-def]
    login(client, make_account(role=Role.ADMINISTRATOR, totp=True))
    return client


def _queue(n: int, start: int = 0) -> None:
    for i in range(start, start + n):
        email_queue(to=[f"r{i}@example.org"], subject=f"Mesaj {i}", body="corp", user=UserFactory())


def test_list_with_status_filter_and_a_bounded_number_of_queries(admin_client):
    _queue(3)
    url = reverse("notifications:staff_outbox")
    admin_client.get(url)  # warm up (sessions, permissions)
    with CaptureQueriesContext(connection) as few:
        response = admin_client.get(url)
    _queue(40, start=3)
    with CaptureQueriesContext(connection) as many:
        response = admin_client.get(url)
    assert response.status_code == 200
    assert len(many) == len(few)  # does not grow with the number of messages
    html = response.content.decode()
    assert "Mesaj 42" in html and "Pending (43)" in html
    OutgoingEmail.objects.filter(subject="Mesaj 0").update(status="failed")
    html = admin_client.get(url + "?status=failed").content.decode()
    assert "Mesaj 0" in html and "Mesaj 1<" not in html


def test_detail_shows_the_text_only_where_allowed(admin_client, settings):
    user = UserFactory()
    row = notify(
        user=user,
        template="account/email/password_reset_key",
        context={"password_reset_url": site_url("/accounts/password/reset/key/1-secret/")},
    )
    url = reverse("notifications:staff_outbox_email", kwargs={"pk": row.pk})
    settings.OUTBOX_SHOW_BODIES = False  # production: links that sign someone in stay hidden
    html = admin_client.get(url).content.decode()
    assert "Choose a new password" in html and "1-secret" not in html
    settings.OUTBOX_SHOW_BODIES = True  # development: click the link here
    html = admin_client.get(url).content.decode()
    assert '<a href="http://127.0.0.1:8000/accounts/password/reset/key/1-secret/"' in html
    assert (
        admin_client.get(
            reverse("notifications:staff_outbox_email", kwargs={"pk": 999999})
        ).status_code
        == 404
    )
