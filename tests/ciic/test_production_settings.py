"""The production settings as Django reads them (loaded in a fresh process:
they refuse to load without their secrets)."""

import json
import os
import subprocess
import sys

from django.conf import settings

CODE = """
import json, django
from django.conf import settings
django.setup()
db = settings.DATABASES["default"]
print(json.dumps({"age": db["CONN_MAX_AGE"], "health": db["CONN_HEALTH_CHECKS"],
                  "socket": settings.DATABASE_SOCKET_CHECKS,
                  "top": hasattr(settings, "CONN_MAX_AGE")}))
"""


def _production(**env: str) -> dict:  # type: ignore[type-arg]
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "ciic.settings.production",
        "SECRET_KEY": "x" * 60,
        "CNP_HASH_KEY": "y" * 40,
        "ALLOWED_HOSTS": "example.org",
        "DATABASE_URL": "postgres://u@127.0.0.1:5432/nothing",
        **env,
    }
    out = subprocess.run(  # noqa: S603
        [sys.executable, "-c", CODE],
        env=environment,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def test_production_keeps_database_connections_checked_by_their_socket() -> None:
    # `ciic.db`: a poll of the socket instead of Django's SELECT 1 per request.
    assert _production() == {"age": 600, "health": False, "socket": True, "top": False}
    assert _production(DATABASE_HEALTH_CHECKS="true")["health"] is True
    assert _production(CONN_MAX_AGE="30")["age"] == 30
