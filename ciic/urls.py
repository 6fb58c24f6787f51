from functools import wraps

import django_rq.urls as django_rq_urls
from allauth.account.views import LogoutView
from django.conf import settings
from django.contrib import admin
from django.http import Http404, HttpResponsePermanentRedirect
from django.templatetags.static import static as static_url
from django.urls import include, path, re_path
from django.views.decorators.csrf import csrf_exempt
from django.views.i18n import set_language
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls
from wagtail.views import serve as wagtail_serve

from ciic.accounts.decorators import decorate_urlpatterns, staff_area
from ciic.accounts.views import AllauthPageRedirectView, SignInElsewhereView
from ciic.public_pages import public_page

# Every way to sign in goes through allauth (rate limits, email confirmation,
# the TOTP step). The log-in, log-out and password pages that Django's admin
# (see ciic.admin_site), Wagtail's admin and Wagtail's front end bring are
# replaced by these, placed before the apps' own patterns.
sign_in_elsewhere = SignInElsewhereView.as_view()
replaced_auth_pages = [
    path("cms-admin/login/", sign_in_elsewhere, name="cms_admin_login"),
    path("cms-admin/logout/", LogoutView.as_view(), name="cms_admin_logout"),
    re_path(
        r"^cms-admin/password_reset/",
        AllauthPageRedirectView.as_view(pattern_name="account_reset_password"),
        name="cms_admin_password_reset",
    ),
    path("_util/login/", sign_in_elsewhere, name="wagtail_frontend_login"),
    # Shared-password page and document restrictions are switched off
    # (WAGTAIL_PRIVATE_PAGE_OPTIONS); their forms lead to the real log-in.
    re_path(
        r"^_util/authenticate_with_password/",
        sign_in_elsewhere,
        name="wagtail_page_password",
    ),
    re_path(
        r"^documents/authenticate_with_password/",
        sign_in_elsewhere,
        name="wagtail_document_password",
    ),
]


def _missing_job_is_404(view):  # type: ignore[no-untyped-def]
    """django-rq's pages answer 500 for a job, worker or scheduler that does not
    exist (an old link, a finished job): that is a 404."""
    from django.core.exceptions import ImproperlyConfigured
    from rq.exceptions import NoSuchJobError

    @wraps(view)
    def wrapped(request, *args, **kwargs):  # type: ignore[no-untyped-def]
        try:
            return view(request, *args, **kwargs)
        except (NoSuchJobError, ValueError, ImproperlyConfigured) as exc:
            raise Http404(str(exc)) from exc

    return wrapped


urlpatterns = [
    path("favicon.ico", lambda request: HttpResponsePermanentRedirect(static_url("favicon.svg"))),
    # The language switch is in every page's header: without a CSRF token the
    # pages stay the same for every visitor, so they can be cached and
    # compressed (ciic.public_pages). Forcing a language on someone is harmless.
    path("i18n/setlang/", csrf_exempt(set_language), name="set_language"),
    *replaced_auth_pages,
    path("django-admin/", admin.site.urls),
    path(
        "cms-admin/",
        include(
            decorate_urlpatterns(
                wagtailadmin_urls.urlpatterns,
                staff_area(
                    "wagtailadmin.access_admin", csp_setting="WAGTAIL_ADMIN_CONTENT_SECURITY_POLICY"
                ),
            )
        ),
    ),
    path("documents/", include(wagtaildocs_urls)),
    path(
        "django-rq/",
        include(
            (
                decorate_urlpatterns(
                    decorate_urlpatterns(django_rq_urls.urlpatterns, _missing_job_is_404),
                    staff_area(
                        "accounts.use_django_admin",
                        csp_setting="JOB_DASHBOARD_CONTENT_SECURITY_POLICY",
                    ),
                ),
                "django_rq",
            )
        ),
    ),
    # Voting first: a ballot is voting day's hot path, and the URL resolver
    # tries these includes (and each of their patterns) in order. Its
    # prefixes (vote/, results/, staff/voting/) are no other app's.
    path("", include("voting.urls")),
    path("accounts/", include("allauth.urls")),
    path("", include("ciic.accounts.urls")),
    path("", include("ciic.eligibility.urls")),
    path("", include("ciic.notifications.urls")),
    path("", include("geo.urls")),
    path("", include("proposals.urls")),
    path("", include("proposals.maps.urls")),
    path("", include("proposals.assessment.urls")),
    path("", include("workshops.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)


@public_page("pages", "calls", "proposals", "results")
def cms_page(request, path):  # type: ignore[no-untyped-def]
    """Wagtail's page view, cached for visitors (ciic.public_pages): its pages
    show calls, counters, the latest proposals and the calls with published
    results besides their own text. Not "workshops": no Wagtail page shows a
    workshop's seats or status (the workshop pages redirect to `/workshops/`,
    cached on its own), so a registration on voting day leaves the home page
    cached."""
    return wagtail_serve(request, path)


# Wagtail's page tree serves everything else (home, calls, information pages).
urlpatterns += [
    re_path(r"^((?:[\w\-]+/)*)$", cms_page, name="wagtail_serve"),
    path("", include(wagtail_urls)),
]
