"""The worker class production runs: RQ's forking worker, warmed before its first job."""

from __future__ import annotations

import pytest
from django.utils.translation import trans_real
from django_rq.workers import get_worker_class

from ciic.jobs import worker


def test_rqworker_uses_the_preloading_worker_class():
    assert get_worker_class() is worker.Worker


def test_email_templates_are_found():
    names = worker.email_template_names()
    assert "voting/email/receipt_message.txt" in names
    assert "account/email/email_confirmation_message.txt" in names
    assert all("/email/" in f"/{name}" for name in names)


@pytest.mark.django_db
def test_preload_loads_translations_and_templates_and_closes_connections(settings, monkeypatch):
    from django.db import connections
    from django.template import engines

    closed = []
    monkeypatch.setattr(connections, "close_all", lambda: closed.append(True))
    loader = engines["django"].engine.template_loaders[0]  # Django's cached loader
    loader.reset()
    trans_real._translations.clear()
    worker.preload()
    for code, _name in settings.LANGUAGES:
        assert code in trans_real._translations
    assert closed  # no horse inherits the worker's database connection
    assert "voting/email/receipt_message.txt" in loader.get_template_cache
