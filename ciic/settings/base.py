"""Settings shared by every environment. Everything that differs between
machines comes from the environment (django-environ); see README.md."""

from pathlib import Path

import environ
from csp.constants import NONCE, NONE, SELF, UNSAFE_EVAL, UNSAFE_INLINE
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
env = environ.Env()

SECRET_KEY = env("SECRET_KEY", default="dev-only-insecure-key-change-me")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")
# The CIIC desk (footer, verification in person, privacy notice); empty: ciic.desk's defaults.
CIIC_DESK_ADDRESS = env("CIIC_DESK_ADDRESS", default="")
CIIC_DESK_HOURS = env("CIIC_DESK_HOURS", default="")
CIIC_DESK_PHONE = env("CIIC_DESK_PHONE", default="")
CIIC_CONTACT_EMAIL = env("CIIC_CONTACT_EMAIL", default="")

# Keyed hash of national identity numbers (CNP). Separate from SECRET_KEY so
# rotating the session key never invalidates verified identities.
CNP_HASH_KEY = env("CNP_HASH_KEY", default="dev-only-cnp-hash-key")
# Eligibility (ciic.eligibility): how long a verification stays valid, how many
# failed self-service register checks an account may make per day.
VERIFICATION_VALIDITY_DAYS = env.int("VERIFICATION_VALIDITY_DAYS", default=730)
REGISTER_MATCH_MAX_FAILURES_PER_DAY = env.int("REGISTER_MATCH_MAX_FAILURES_PER_DAY", default=5)
PARTICIPATION_MINIMUM_AGE = env.int("PARTICIPATION_MINIMUM_AGE", default=18)

INSTALLED_APPS = [
    # project apps, lowest layer first
    "ciic.accounts",
    "ciic.audit",
    "ciic.jobs",
    "ciic.eligibility",
    "ciic.notifications",
    "geo",
    "proposals",
    "proposals.assessment",
    "voting",
    "workshops",
    "cms",
    # wagtail
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    # accounts
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    # infrastructure
    "rules.apps.AutodiscoverRulesConfig",
    "django_rq",
    "ciic.admin_site.CIICAdminConfig",  # django.contrib.admin, entered through allauth
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "ciic.public_pages.PublicGZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "ciic.middleware.RomanianFirstMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "ciic.public_pages.PublicPageCacheMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "allauth.usersessions.middleware.UserSessionsMiddleware",
    "ciic.accounts.middleware.StaffSessionMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "ciic.middleware.CSPMiddleware",
    "ciic.middleware.PermissionsPolicyMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "ciic.urls"
WSGI_APPLICATION = "ciic.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
                "ciic.desk.desk_context",
            ],
            # `|lei` and `|amount` in every template (ciic.formatting).
            "builtins": ["ciic.formatting"],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=0))
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite (the `make run` set-up) serving concurrent requests:
    # - IMMEDIATE: every transaction takes the write lock when it begins, so
    #   writers queue instead of failing when a read turns into a write
    #   ("database is locked"), and reads inside a transaction see a state no
    #   other writer can change before it commits;
    # - timeout: how long (seconds) a writer waits for the lock;
    # - WAL: readers never wait for the writer, nor the writer for readers.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": env.int("SQLITE_BUSY_TIMEOUT", default=30),
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )


# PostgreSQL with server-side binding and prepared statements (a statement
# run `prepare_threshold` times on a connection is prepared: parsed and
# planned once): less PostgreSQL and Python CPU per query (voting day,
# measured: PostgreSQL 2.0 -> 1.2 ms per cast). On in production (the whole
# suite passes with it, see `ciic/settings/production.py`), off elsewhere
# unless DATABASE_SERVER_SIDE_BINDING=true.
def postgres_server_side_binding(databases: dict, *, default: bool) -> None:  # type: ignore[type-arg]
    db = databases["default"]
    if db["ENGINE"] == "django.db.backends.postgresql" and env.bool(
        "DATABASE_SERVER_SIDE_BINDING", default=default
    ):
        db.setdefault("OPTIONS", {})["server_side_binding"] = True
        db["OPTIONS"]["prepare_threshold"] = env.int("DATABASE_PREPARE_THRESHOLD", default=5)


postgres_server_side_binding(DATABASES, default=False)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Background jobs (ciic.jobs). With REDIS_URL unset, jobs run in-process right
# after the transaction commits (development); with it set, rqworker processes
# run them (`rqworker --with-scheduler` for the jobs scheduled at a time).
REDIS_URL = env("REDIS_URL", default="")
JOBS_IN_PROCESS = env.bool("JOBS_IN_PROCESS", default=not REDIS_URL)
# Idempotent sweeps run by `manage.py jobs_sweep` (every few minutes in
# production): due scheduled jobs, work an outage left pending, tidying.
JOB_SWEEPS = [
    "ciic.jobs.tasks.scheduled_jobs_run_due",
    "ciic.notifications.tasks.emails_retry_pending",
    "ciic.notifications.tasks.emails_redact_sent",
    "ciic.eligibility.tasks.verifications_expire",
]
# How long RQ's scheduler has to run a due scheduled job before the sweep does.
SCHEDULED_JOBS_GRACE_SECONDS = env.int("SCHEDULED_JOBS_GRACE_SECONDS", default=120)
# The development server runs the sweep in a thread this often while jobs run
# in-process (0: never; see ciic/jobs/management/commands/runserver.py).
RUNSERVER_JOBS_SWEEP_SECONDS = env.int("RUNSERVER_JOBS_SWEEP_SECONDS", default=0)
# ciic.jobs.enqueue already waits for the commit; django-rq must not defer again.
# The worker class: RQ's forking worker with templates and translations loaded
# once before the first job instead of in every horse (ciic/jobs/worker.py).
RQ = {"COMMIT_MODE": "auto", "WORKER_CLASS": "ciic.jobs.worker.Worker"}
# The job dashboard lives at /django-rq/ only (ciic.urls), not again inside the
# Django admin, whose copy of it breaks on its change pages.
RQ_SHOW_ADMIN_LINK = False
RQ_QUEUES = {
    "default": {"URL": REDIS_URL or "redis://127.0.0.1:6379/0", "DEFAULT_TIMEOUT": 600},
}

if REDIS_URL:
    CACHES = {
        "default": {
            # Django's Redis cache, which serves on (without caching) while
            # Redis is down instead of failing every request.
            "BACKEND": "ciic.redis_cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "ciic",
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "ciic",
        }
    }

AUTH_USER_MODEL = "accounts.User"
# allauth's backend (email + password) with Django's group and model permissions
# honoured only in a session that passed the second factor; it is the only
# ModelBackend here on purpose (see ciic.accounts.backends).
AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    "ciic.accounts.backends.StaffSessionAuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/"

# django-allauth: email only, mandatory verification, rate limits on.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
# The subject prefix of every email (ours, allauth's, Django's mail_admins).
EMAIL_SUBJECT_PREFIX = "[CIIC Sector 6] "
ACCOUNT_EMAIL_SUBJECT_PREFIX = EMAIL_SUBJECT_PREFIX
# Sign-up answers alike for new and taken addresses (allauth's enumeration
# prevention, plus ciic.accounts.adapter and forms.SignupForm).
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_ADAPTER = "ciic.accounts.adapter.AccountAdapter"
ACCOUNT_FORMS = {"signup": "ciic.accounts.forms.SignupForm"}
ACCOUNT_DEFAULT_HTTP_PROTOCOL = env("ACCOUNT_DEFAULT_HTTP_PROTOCOL", default="http")
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "confirm_email": "1/3m/key",
    "reset_password": "20/m/ip,5/m/key",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "CIIC Sector 6"
# "Trust this browser" would skip the TOTP step, and staff powers need it in
# every session (ciic.accounts.second_factor): keep it off.
MFA_TRUST_ENABLED = False

# Mail: every message goes through the durable outbox (ciic.notifications), so a
# mail-server outage delays mail but never loses it or fails a user's request.
# The platform's own emails: ciic.notifications.services.notify. Mail sent by
# libraries through Django's API lands in the same outbox (EMAIL_BACKEND).
EMAIL_BACKEND = "ciic.notifications.backends.OutboxEmailBackend"
# What finally delivers the outbox: SMTP in production; in development, files
# under var/mail/ (one per message; also readable at /staff/outbox/).
OUTBOX_DELIVERY_BACKEND = env(
    "OUTBOX_DELIVERY_BACKEND", default="django.core.mail.backends.filebased.EmailBackend"
)
EMAIL_FILE_PATH = env("EMAIL_FILE_PATH", default=str(BASE_DIR / "var" / "mail"))
# Mail sent in bursts (a receipt per ballot) is delivered in batches: the job
# waits this long first, so that a burst is one job. Web processes send Redis
# nothing for half this time after a run was queued (`ciic.jobs.enqueue_coalesced`).
# (2 s instead was measured: 4 jobs instead of 11 for 1,775 ballots, but no
# less rqworker CPU per ballot, 0.86 against 0.70 ms: not worth later receipts.)
OUTBOX_BATCH_SETTLE_SECONDS = env.float("OUTBOX_BATCH_SETTLE_SECONDS", default=0.5)
# The text of sent messages is blanked after this many days (0: kept).
OUTBOX_RETENTION_DAYS = env.int("OUTBOX_RETENTION_DAYS", default=30)
# Whether the staff outbox page shows the messages' text (links with tokens
# included): development only by default.
OUTBOX_SHOW_BODIES = env.bool("OUTBOX_SHOW_BODIES", default=DEBUG)
EMAIL_HOST = env("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
# Seconds before a connection to the mail server that does not answer gives up
# (the delivery job holds its outbox row meanwhile; the sweep retries it later).
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="CIIC Sector 6 <ciic@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Internationalisation: Romanian first, English second.
LANGUAGE_CODE = "ro"
LANGUAGES = [("ro", _("Română")), ("en", _("English"))]
# Our own catalogue first; then our Romanian for the libraries' strings (allauth,
# Django's password validators), which overrides the libraries' own catalogues.
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "locale_vendor"]
TIME_ZONE = "Europe/Bucharest"
# Dates and numbers per language (ciic/formats/ro, ciic/formats/en).
FORMAT_MODULE_PATH = ["ciic.formats"]
USE_I18N = True
USE_TZ = True
WAGTAIL_I18N_ENABLED = False
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES

STATIC_URL = "/static/"
STATIC_ROOT = Path(env("STATIC_ROOT", default=str(BASE_DIR / "var" / "static")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(BASE_DIR / "var" / "media")))
# Files of proposals (MEDIA_URL/proposals/...) are always served through Django,
# which checks who may see them (a draft's only by its author). Set this to an
# nginx `internal` location aliasing MEDIA_ROOT (e.g. "/internal-media/") to have
# nginx send the bytes after Django's check (X-Accel-Redirect). See README.
MEDIA_X_ACCEL_REDIRECT = env("MEDIA_X_ACCEL_REDIRECT", default="")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# The offline street layer (geo/static/geo/osm/*.geojson) is GeoJSON, served gzipped.
WHITENOISE_MIMETYPES = {".geojson": "application/geo+json"}
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

WAGTAIL_SITE_NAME = "CIIC Sector 6"
# No avatars from gravatar.com: no page loads anything from another host.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAIL_ENABLE_UPDATE_CHECK = False
# No banner linking to wagtail.org on the dashboard (cms/wagtail_hooks.py drops the
# help menu's links there too).
WAGTAIL_ENABLE_WHATS_NEW_BANNER = False
# Accounts are managed through allauth: Wagtail's log-in pages lead there
# (ciic.urls), and it neither changes passwords nor email addresses itself
# (allauth confirms a new address first).
WAGTAILADMIN_LOGIN_URL = "/cms-admin/login/"
WAGTAIL_FRONTEND_LOGIN_URL = "/accounts/login/"
WAGTAIL_PASSWORD_MANAGEMENT_ENABLED = False
WAGTAIL_PASSWORD_RESET_ENABLED = False
WAGTAIL_EMAIL_MANAGEMENT_ENABLED = False
# Private pages and documents: "logged-in users" or groups, never a shared password.
WAGTAIL_PRIVATE_PAGE_OPTIONS = {"SHARED_PASSWORD": False}
WAGTAILDOCS_PRIVATE_COLLECTION_OPTIONS = {"SHARED_PASSWORD": False}
WAGTAILADMIN_BASE_URL = SITE_URL
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_EXTENSIONS = ["pdf", "docx", "xlsx", "odt", "ods", "csv", "txt"]

# Maps: the tile server is a setting. Empty = no base tiles (zone outlines only).
MAP_TILES_URL = env("MAP_TILES_URL", default="")
MAP_TILES_ATTRIBUTION = env(
    "MAP_TILES_ATTRIBUTION",
    default="© OpenStreetMap contributors (ODbL)",
)
# Jobs that re-render the most visited cached content after
# `ciic.cache.content_changed(namespace)` (see ciic/cache.py): the default maps.
CONTENT_WARMERS = {
    "proposals": ["proposals.maps.tasks.proposal_maps_rebuild"],
    "areas": ["proposals.maps.tasks.proposal_maps_rebuild"],
}
# Public pages cached for visitors (ciic.public_pages): kept at most this long
# (and never past midnight); a content change replaces them at once.
PUBLIC_PAGE_SECONDS = env.int("PUBLIC_PAGE_SECONDS", default=600)
PUBLIC_PAGE_CACHE = env.bool("PUBLIC_PAGE_CACHE", default=True)

# Content Security Policy: everything from our own host, and no script the page
# did not load from /static/ or mark with this response's nonce (folium's map
# documents get one: geo.maps.with_script_nonce). No 'unsafe-inline' and no
# 'unsafe-eval' for scripts. Styles keep 'unsafe-inline': Leaflet and folium
# write style attributes and <style> elements (map legends, marker icons,
# popups), and a nonce in style-src would switch 'unsafe-inline' off.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:", "blob:", *env.list("CSP_IMG_HOSTS", default=[])],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "frame-src": [SELF],
        "frame-ancestors": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
    }
}
# Looser policies for two admin areas we mount but did not write, on their own
# pages only (ciic.accounts.decorators.staff_area); only staff whose session
# passed the second factor reach them. The Django admin needs neither.
# - Wagtail's admin: inline scripts in its panels and widgets, and 'unsafe-eval'
#   for the accessibility checker of its page editor (axe-core's templates use
#   `new Function`).
WAGTAIL_ADMIN_CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        **CONTENT_SECURITY_POLICY["DIRECTIVES"],
        "script-src": [SELF, UNSAFE_INLINE, UNSAFE_EVAL],
    }
}
# - the django-rq job dashboard: inline scripts and onclick handlers.
JOB_DASHBOARD_CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {**CONTENT_SECURITY_POLICY["DIRECTIVES"], "script-src": [SELF, UNSAFE_INLINE]}
}
# Browser features no page uses are switched off (ciic.middleware).
PERMISSIONS_POLICY = {
    "accelerometer": [],
    "autoplay": [],
    "camera": [],
    "display-capture": [],
    "geolocation": [],
    "gyroscope": [],
    "magnetometer": [],
    "microphone": [],
    "midi": [],
    "payment": [],
    "screen-wake-lock": [],
    "serial": [],
    "usb": [],
    "xr-spatial-tracking": [],
}
X_FRAME_OPTIONS = "SAMEORIGIN"
SESSION_COOKIE_HTTPONLY = True
# Database sessions, read with one written-out query (ciic.accounts.sessions).
SESSION_ENGINE = "ciic.accounts.sessions"
CSRF_COOKIE_HTTPONLY = False

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # Wagtail's background tasks (search index, references) log every run.
        "django_tasks": {"level": "WARNING"},
    },
}

# Council assessment (proposals.assessment); a call's own settings override these.
# Working days to assess, counted after the later of submission and the close of submissions.
ASSESSMENT_DUE_WORKING_DAYS = env.int("ASSESSMENT_DUE_WORKING_DAYS", default=15)
# Calendar days the author has to appeal an ineligibility.
ASSESSMENT_APPEAL_DAYS = env.int("ASSESSMENT_APPEAL_DAYS", default=5)
# Extra non-working days declared by the government (ISO dates, comma-separated).
ASSESSMENT_EXTRA_HOLIDAYS = env.list("ASSESSMENT_EXTRA_HOLIDAYS", default=[])
