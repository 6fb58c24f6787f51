"""Test settings. DATABASE_URL / REDIS_URL from the environment choose between
SQLite (default) and the real PostgreSQL + Redis that CI runs the suite on."""

from .base import *  # noqa: F403
from .base import env

DEBUG = False
# Assertions read English msgids; tests of the Romanian default set it back.
LANGUAGE_CODE = "en"
SECRET_KEY = "test-secret-key"  # noqa: S105
CNP_HASH_KEY = "test-cnp-hash-key"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
JOBS_IN_PROCESS = env.bool("JOBS_IN_PROCESS", default=True)
# locmem in this process; a worker started by a test (another process) is
# given the file backend and a folder through the environment.
OUTBOX_DELIVERY_BACKEND = env(
    "OUTBOX_DELIVERY_BACKEND", default="django.core.mail.backends.locmem.EmailBackend"
)
RUNSERVER_JOBS_SWEEP_SECONDS = 0
MAP_TILES_URL = ""
ACCOUNT_RATE_LIMITS = False
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
LOGGING = {"version": 1, "disable_existing_loggers": False}
# Tests change rows directly (factories, the ORM) between two requests; the
# page cache is tested on its own (tests/ciic/test_public_pages.py) and
# switched on there.
PUBLIC_PAGE_CACHE = False
