"""The RQ worker class production runs (`rqworker --worker-class ciic.jobs.worker.Worker`).

RQ's default worker forks a work horse for every job, so that a job that
crashes, leaks or overruns its time is killed without the worker. The horse
starts from the worker's memory: whatever the worker has not loaded, each
horse loads again and throws away. A plain Django worker has loaded neither
the translation catalogues (gettext parses every app's `.mo` file for a
language the first time it is activated: Django's, Wagtail's, allauth's...)
nor the email templates, so every batch of receipts parsed them all again:
about 0.7 ms of worker CPU per ballot on voting day (bench/voting.py), more
than rendering and sending the receipt itself.

This worker loads them once, in the worker, before its first job; the horses
share them (copy-on-write) and keep the isolation of the fork. It closes the
database connections it used for that, so that no horse inherits one."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from rq.worker import Worker as RQWorker

log = logging.getLogger(__name__)

# What every horse would otherwise load: the job modules the platform enqueues most.
PRELOAD_MODULES = (
    "ciic.notifications.tasks",
    "ciic.notifications.services",
    "ciic.jobs.tasks",
)


def email_template_names() -> list[str]:
    """The names of every email template (`<app>/email/...` or `email/...`) in
    the template directories."""
    from django.template import engines

    names: set[str] = set()
    for engine in engines.all():
        for directory in getattr(engine, "template_dirs", ()):
            root = Path(directory)
            for path in root.glob("**/email/*"):
                if path.is_file():
                    names.add(path.relative_to(root).as_posix())
    return sorted(names)


def preload() -> None:
    """Load, in this process, what every job's horse would load again."""
    import importlib

    from django.conf import settings
    from django.db import connections
    from django.template.loader import get_template
    from django.utils import translation

    for module in PRELOAD_MODULES:
        importlib.import_module(module)
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            translation.gettext("CIIC Sector 6")  # parses the language's catalogues
    for name in email_template_names():
        try:
            get_template(name)
        except Exception:  # a broken template fails in its job, with its own error
            log.warning("email template %s could not be preloaded", name, exc_info=True)
    connections.close_all()


class Worker(RQWorker):
    """RQ's forking worker, with the platform's templates and translations
    loaded before the first job (see the module docstring)."""

    def work(self, *args: Any, **kwargs: Any) -> bool:
        preload()
        return super().work(*args, **kwargs)
