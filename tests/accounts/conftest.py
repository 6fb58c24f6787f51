import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value

from ciic.accounts.models import Role
from tests.factories import UserFactory

TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DP"
PASSWORD = "correct-horse-battery"


def totp_code(secret: str = TOTP_SECRET) -> str:
    import time

    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def make_account(*, role: Role | None = None, totp: bool = False, email: str | None = None):  # type: ignore[no-untyped-def]
    kwargs = {"email": email} if email else {}
    user = UserFactory(roles=[role] if role else [], **kwargs)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    if totp:
        TOTP.activate(user, TOTP_SECRET)
        assert Authenticator.objects.filter(user=user).exists()
    return user


@pytest.fixture
def account():  # type: ignore[no-untyped-def]
    return make_account
