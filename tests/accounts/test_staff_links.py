"""Staff never see links to areas they cannot open: every link of our own that
the staff pages and the header show a role opens for that role."""

import re

import pytest

from ciic.accounts.models import Role
from tests.auth import add_totp, login
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

HREF = re.compile(r'href="(/[^"#]*)"')
SKIP = ("/static/", "/media/", "/i18n/")


def _links(html: str) -> set[str]:
    return {h.replace("&amp;", "&") for h in HREF.findall(html) if not h.startswith(SKIP)}


@pytest.mark.parametrize("role", [Role.ADMINISTRATOR, Role.FACILITATOR, Role.ASSESSOR])
def test_every_staff_link_opens_for_the_role_that_sees_it(client, home_page, role):
    user = add_totp(UserFactory(roles=[role]))
    login(client, user)
    response = client.get("/staff/")
    assert response.status_code == 200
    links = _links(response.content.decode()) | _links(client.get("/").content.decode())
    refused = {}
    for link in sorted(links):
        status = client.get(link).status_code
        if status in (403, 404):
            refused[link] = status
    assert refused == {}, f"{role} sees links it cannot open"
    shows_cms = "/cms-admin/" in links
    assert shows_cms == (role != Role.ASSESSOR)
