import pytest
from allauth.account.models import EmailAddress

from ciic.accounts.models import Role
from tests.auth import PASSWORD, TOTP_SECRET, add_totp, login, totp_code
from tests.factories import UserFactory

__all__ = ["PASSWORD", "TOTP_SECRET", "login", "make_account", "totp_code"]


def make_account(  # type: ignore[no-untyped-def]
    *, role: Role | None = None, totp: bool = False, email: str | None = None, language: str = "en"
):
    kwargs = {"email": email} if email else {}
    kwargs["preferred_language"] = language
    user = UserFactory(roles=[role] if role else [], **kwargs)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    if totp:
        add_totp(user)
    return user


@pytest.fixture
def account():  # type: ignore[no-untyped-def]
    return make_account
