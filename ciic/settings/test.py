"""Test settings. DATABASE_URL / REDIS_URL from the environment choose between
SQLite (default) and the real PostgreSQL + Redis that CI runs the suite on."""

import os

# Parallel runs (pytest-xdist): each worker gets its own Redis database, next
# to the one REDIS_URL names, so rate limits, queues and caches of one worker
# never meet another's. Processes a test starts inherit the adjusted URL.
_worker = os.environ.get("PYTEST_XDIST_WORKER", "")
if (
    _worker.startswith("gw")
    and os.environ.get("REDIS_URL")
    and not os.environ.get("_CIIC_REDIS_SPLIT")
):
    _base, _sep, _db = os.environ["REDIS_URL"].rpartition("/")
    os.environ["REDIS_URL"] = f"{_base}/{(int(_db or 0) + 1 + int(_worker[2:])) % 16}"
    os.environ["_CIIC_REDIS_SPLIT"] = "1"

from .base import *  # noqa: E402, F403
from .base import env  # noqa: E402

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
# page cache is tested on its own (tests/proposals/test_public_pages.py) and
# switched on there.
PUBLIC_PAGE_CACHE = False
