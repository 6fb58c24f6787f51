from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.contrib import admin
from django.http import HttpResponsePermanentRedirect
from django.templatetags.static import static as static_url
from django.urls import include, path
from django.views.generic import RedirectView
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

# Every log-in goes through allauth, so rate limits and the TOTP step apply to
# the Django and Wagtail admins too.
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]

urlpatterns = [
    path("favicon.ico", lambda request: HttpResponsePermanentRedirect(static_url("favicon.svg"))),
    path("i18n/", include("django.conf.urls.i18n")),
    path("django-admin/", admin.site.urls),
    path(
        "cms-admin/login/",
        RedirectView.as_view(pattern_name="account_login", query_string=True, permanent=False),
    ),
    path("cms-admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("django-rq/", include("django_rq.urls")),
    path("accounts/", include("allauth.urls")),
    path("", include("ciic.accounts.urls")),
    path("", include("ciic.eligibility.urls")),
    path("", include("geo.urls")),
    path("", include("proposals.urls")),
    path("", include("proposals.map_urls")),
    path("", include("voting.urls")),
    path("", include("workshops.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# Wagtail's page tree serves everything else (home, calls, information pages).
urlpatterns += [path("", include(wagtail_urls))]
