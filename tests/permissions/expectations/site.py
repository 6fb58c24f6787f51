"""Project-wide URLs (ciic.urls): favicon, language switch, and the log-in,
log-out and password pages of other apps that lead to allauth."""

from ..policy import (
    ADMINISTRATOR,
    ASSESSOR,
    FACILITATOR,
    LOGIN,
    MFA,
    OK,
    by_role,
    public,
    redirect,
    rule,
)

# Foreign log-in pages: visitors to allauth's log-in, staff sessions without the
# second factor to it, everyone else on to `next` (here: the home page).
SIGN_IN_ELSEWHERE = by_role(
    {
        "anonymous": LOGIN,
        (FACILITATOR, False): MFA,
        (ASSESSOR, False): MFA,
        (ADMINISTRATOR, False): MFA,
    },
    default=redirect("/"),
)

EXPECTATIONS = {
    "favicon.ico": rule(public(redirect("/static/favicon"))),
    # Without a form (GET), the language switch only sends back home.
    "set_language": rule(public(redirect("/"))),
    "cms_admin_login": rule(SIGN_IN_ELSEWHERE),
    "wagtail_frontend_login": rule(SIGN_IN_ELSEWHERE),
    "wagtail_page_password": rule(SIGN_IN_ELSEWHERE),
    "wagtail_document_password": rule(SIGN_IN_ELSEWHERE),
    # allauth's log-out page (a confirmation form; GET never logs out).
    "cms_admin_logout": rule(by_role({"anonymous": redirect("/")}, default=OK)),
    "cms_admin_password_reset": rule(public(redirect("/accounts/password/reset/"))),
}
