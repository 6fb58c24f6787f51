"""Production: PostgreSQL + Redis + gunicorn + rqworker, configured only
through environment variables. Refuses to start without its secrets."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env

DEBUG = False
SECRET_KEY = env("SECRET_KEY", default="")
CNP_HASH_KEY = env("CNP_HASH_KEY", default="")
if not SECRET_KEY or SECRET_KEY.startswith("dev-only") or len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("SECRET_KEY must be set (50+ random characters) in production.")
if not CNP_HASH_KEY or CNP_HASH_KEY.startswith("dev-only") or len(CNP_HASH_KEY) < 32:
    raise ImproperlyConfigured("CNP_HASH_KEY must be set (32+ random characters) in production.")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
OUTBOX_DELIVERY_BACKEND = env(
    "OUTBOX_DELIVERY_BACKEND", default="django.core.mail.backends.smtp.EmailBackend"
)
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https"

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
# Persistent connections (Django reads them per database, not at the top
# level): one connection per worker thread, kept for CONN_MAX_AGE seconds and
# checked before reuse, so a restarted PostgreSQL costs a new connection, not
# an error page. The check looks at the connection's socket (`ciic.db`: a
# server that went away has closed it), not Django's `CONN_HEALTH_CHECKS`
# (a `SELECT 1` round trip in every request: 0.2-0.3 ms of CPU per ballot);
# DATABASE_HEALTH_CHECKS=true brings that back.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=600)  # noqa: F405
DATABASES["default"]["CONN_HEALTH_CHECKS"] = env.bool("DATABASE_HEALTH_CHECKS", default=False)
DATABASE_SOCKET_CHECKS = True
# Server-side binding and prepared statements (see base.py): on unless
# DATABASE_SERVER_SIDE_BINDING=false. Behind PgBouncer in transaction mode,
# use PgBouncer 1.21+ with max_prepared_statements set, or turn it off.
postgres_server_side_binding(DATABASES, default=True)  # noqa: F405

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Deliberate: Wagtail's live preview and our map embeds frame our own pages, so
# X-Frame-Options stays SAMEORIGIN (CSP frame-ancestors 'self' says the same).
# HSTS preloading commits the whole domain for years: the council opts in with
# SECURE_HSTS_PRELOAD=true once every subdomain serves HTTPS.
SILENCED_SYSTEM_CHECKS = ["security.W019"] + ([] if SECURE_HSTS_PRELOAD else ["security.W021"])
