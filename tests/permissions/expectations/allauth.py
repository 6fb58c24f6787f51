"""allauth: log-in, sign-up, email, password, two-factor and session pages."""

from ..policy import (
    LOGIN,
    NOT_FOUND,
    OK,
    Outcome,
    Policy,
    by_role,
    logged_in,
    public,
    redirect,
    rule,
)

LOGIN_PAGE = "/accounts/login/"
REAUTHENTICATE = "/accounts/reauthenticate/"
# Pages for visitors: a logged-in account is sent on (allauth's default).
VISITORS = by_role({"anonymous": OK}, default=redirect("/"))
# Steps of a log-in in progress: without one, visitors start again, accounts go home.
LOGIN_STEP = by_role({"anonymous": redirect(LOGIN_PAGE)}, default=redirect("/"))


def with_authenticator(has: Outcome, has_not: Outcome) -> Policy:
    """Two-factor pages: the `+mfa` identities have a TOTP authenticator."""
    return lambda who: LOGIN if not who.logged_in else (has if who.mfa else has_not)


EXPECTATIONS = {
    "account_login": rule(VISITORS),
    "account_signup": rule(VISITORS),
    "account_logout": rule(by_role({"anonymous": redirect("/")}, default=OK)),
    "account_inactive": rule(public()),
    "account_reauthenticate": rule(logged_in()),
    "account_email": rule(logged_in()),
    "account_email_verification_sent": rule(public()),
    "account_change_password": rule(logged_in()),
    "account_set_password": rule(logged_in(redirect("/accounts/password/change/"))),
    "account_reset_password": rule(public()),
    "account_reset_password_done": rule(public()),
    "account_reset_password_from_key": rule(public(), lambda w: {"uidb36": "1", "key": "bad-key"}),
    "account_reset_password_from_key_done": rule(public()),
    "account_confirm_email": rule(public(), lambda w: {"key": "bad-key"}),
    "account_confirm_login_code": rule(LOGIN_STEP),
    "mfa_index": rule(logged_in()),
    "mfa_authenticate": rule(LOGIN_STEP),
    # The code prompt; without an authenticator, the password is asked instead.
    "mfa_reauthenticate": rule(with_authenticator(OK, redirect(REAUTHENTICATE))),
    # Changing two-factor settings asks for the password again first.
    "mfa_activate_totp": rule(logged_in(redirect(REAUTHENTICATE))),
    "mfa_deactivate_totp": rule(with_authenticator(redirect(REAUTHENTICATE), NOT_FOUND)),
    "mfa_generate_recovery_codes": rule(logged_in(redirect(REAUTHENTICATE))),
    # The world's authenticators have no recovery codes yet: nothing to show.
    "mfa_view_recovery_codes": rule(logged_in(NOT_FOUND)),
    "mfa_download_recovery_codes": rule(logged_in(NOT_FOUND)),
    "usersessions_list": rule(logged_in()),
}
