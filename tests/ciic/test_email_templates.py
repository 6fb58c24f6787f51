"""Every email the platform sends, in both languages, through a Redis outage:
queued while Redis is unreachable (the requests succeed), nothing delivered
and nothing lost; once Redis is back the sweep hands the messages to the
queue and a worker delivers every one, each in its recipient's language.

`EMAILS` lists every email template with a sample context: a template added
without an entry here makes `test_every_email_template_has_a_sample` fail."""

from __future__ import annotations

import datetime as dt
import os
from email import message_from_bytes
from email.header import decode_header, make_header
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from ciic.accounts.adapter import AccountAdapter
from ciic.links import site_url
from ciic.notifications.models import OutgoingEmail
from ciic.notifications.services import notify
from tests.factories import UserFactory
from tests.workers import UNREACHABLE_REDIS, run_rqworker, use_fake_redis

REPO = Path(__file__).resolve().parents[2]
SITE = "https://buget.example.ro"


def _proposal_sample() -> dict[str, Any]:
    return {
        "proposal": {"reference": "S6-2026-0042", "title": "Bănci noi în Parcul Drumul Taberei"},
        "status": "changes_requested",
        "status_label": "Changes requested",
        "note": "Adăugați o schiță.",
        "url": site_url("/proposals/S6-2026-0042/"),
    }


def _workshop_sample() -> dict[str, Any]:
    return {
        "workshop": {
            "theme": "Curți verzi în Drumul Taberei",
            "venue_name": "Școala Gimnazială nr. 193",
            "venue_address": "Strada Brașov 21",
            "starts_at": dt.datetime(2026, 10, 8, 15, 0, tzinfo=dt.UTC),
            "ends_at": dt.datetime(2026, 10, 8, 17, 0, tzinfo=dt.UTC),
            "accessibility_notes": "Rampă la intrarea principală.",
        },
        "idea": {"title": "Bănci și umbră în curtea blocului"},
        "note": "Sala nu este disponibilă.",
        "waiting": False,
        "url": site_url("/workshops/7/"),
    }


# template prefix -> (sample context, sent by allauth through the adapter?)
EMAILS: dict[str, tuple[Any, bool]] = {
    "account/email/email_confirmation": (
        lambda: {"key": "KEY", "activate_url": "http://testserver/accounts/confirm-email/KEY/"},
        True,
    ),
    # allauth's own file, which includes ours (sign-up asks for this one)
    "account/email/email_confirmation_signup": (
        lambda: {"key": "KEY", "activate_url": "http://testserver/accounts/confirm-email/KEY/"},
        True,
    ),
    "account/email/password_reset_key": (
        lambda: {"password_reset_url": "http://testserver/accounts/password/reset/key/1-x/"},
        True,
    ),
    "account/email/account_already_exists": (
        lambda: {
            "login_url": "http://testserver/accounts/login/",
            "signup_url": "http://testserver/accounts/signup/",
            "password_reset_url": "http://testserver/accounts/password/reset/",
        },
        True,
    ),
    "account/email/unknown_account": (
        lambda: {"signup_url": "http://testserver/accounts/signup/"},
        True,
    ),
    "eligibility/email/verification_expired": (
        lambda: {"valid_until": dt.date(2026, 1, 31), "url": site_url("/me/")},
        False,
    ),
    "proposals/email/status_changed": (_proposal_sample, False),
    "assessment/email/message": (
        lambda: {**_proposal_sample(), "body": "Precizați locul exact.", "from_staff": True},
        False,
    ),
    "assessment/email/merged": (
        lambda: {
            **_proposal_sample(),
            "other": {"reference": "S6-2026-0043", "title": "Bănci noi"},
            "merged_away": True,
            "other_url": site_url("/proposals/S6-2026-0043/"),
        },
        False,
    ),
    "assessment/email/appeal_rejected": (
        lambda: {**_proposal_sample(), "explanation": "Strada este administrată de PMB."},
        False,
    ),
    "voting/email/receipt": (
        lambda: {
            "call": {"name": "Bugetare participativă 2026", "slug": "bp-2026"},
            "code": "ABCD-EFGH-JKLM",
            "channel": "online",
            "changed": False,
            "closes": dt.datetime(2026, 6, 21, tzinfo=dt.UTC),
            "receipts_url": site_url("/results/bp-2026/receipts/"),
        },
        False,
    ),
    "voting/email/on_ballot": (
        lambda: {
            "call": {"name": "Bugetare participativă 2026", "slug": "bp-2026"},
            "proposals": [
                {"reference": "S6-2026-0042", "title": "Bănci noi", "cost": 120000},
                {"reference": "S6-2026-0043", "title": "Umbră în parc", "cost": 80000},
            ],
            "voting_start": dt.date(2026, 6, 10),
            "voting_end": dt.date(2026, 6, 20),
            "url": site_url("/vote/bp-2026/"),
        },
        False,
    ),
    "voting/email/results": (
        lambda: {
            "call": {"name": "Bugetare participativă 2026", "slug": "bp-2026"},
            "selected": [{"reference": "S6-2026-0042", "title": "Bănci noi", "votes": 412}],
            "not_selected": [{"reference": "S6-2026-0043", "title": "Umbră", "votes": 1}],
            "url": site_url("/results/bp-2026/"),
        },
        False,
    ),
    "workshops/email/reminder": (_workshop_sample, False),
    "workshops/email/moved": (_workshop_sample, False),
    "workshops/email/postponed": (_workshop_sample, False),
    "workshops/email/cancelled": (_workshop_sample, False),
    "workshops/email/promoted": (_workshop_sample, False),
    "workshops/email/idea_draft": (_workshop_sample, False),
}


def email_templates_in_repo() -> set[str]:
    """Every `<prefix>_subject.txt` under an `email/` folder of our templates."""
    found = set()
    for folder in [REPO / "templates", *REPO.glob("*/templates"), *REPO.glob("ciic/*/templates")]:
        for path in folder.rglob("email/*_subject.txt"):
            found.add(str(path.relative_to(folder))[: -len("_subject.txt")])
    return found


def test_every_email_template_has_a_sample():
    missing = email_templates_in_repo() - set(EMAILS)
    assert not missing, f"add a sample for {sorted(missing)} to EMAILS in {__file__}"


def _send_every_email() -> list[tuple[str, str, str]]:
    """Send every template to a Romanian and an English account; returns
    (template, language, address) for each message."""
    sent = []
    for n, (template, (sample, by_allauth)) in enumerate(sorted(EMAILS.items())):
        for language in ("ro", "en"):
            user = UserFactory(email=f"{language}{n}@example.org", preferred_language=language)
            context = sample()
            if by_allauth:
                AccountAdapter().send_mail(template, user.email, {"user": user, **context})
            else:
                notify(user=user, template=template, context=context)
            sent.append((template, language, user.email))
    return sent


def _check_languages(messages: dict[str, Any], sent: list[tuple[str, str, str]]) -> None:
    """Each message went to its address, in its language, with links on SITE_URL."""
    subjects: dict[str, dict[str, str]] = {}
    for template, language, address in sent:
        subject, body = messages[address]
        subjects.setdefault(template, {})[language] = subject
        assert subject.startswith("[CIIC Sector 6] "), (template, subject)
        assert "{{" not in body and "%(" not in body and "{%" not in body, (template, body)
        assert "testserver" not in body and "127.0.0.1" not in body, (template, body)
        assert SITE in body, (template, language, body)
        greeting = "Bună ziua" if language == "ro" else "Hello"
        assert greeting in body, (template, language, body)
    for template, by_language in subjects.items():
        assert by_language["ro"] != by_language["en"], f"{template}: subject not translated"


@pytest.fixture
def fake_redis(monkeypatch, settings):  # type: ignore[no-untyped-def]
    return use_fake_redis(monkeypatch, settings)


@pytest.mark.django_db(transaction=True)
def test_every_email_in_both_languages_survives_a_redis_outage(settings, fake_redis):
    settings.SITE_URL = SITE
    settings.JOBS_IN_PROCESS = False
    settings.RQ = {"COMMIT_MODE": "auto"}
    import django_rq
    from rq import SimpleWorker

    queue = django_rq.get_queue("default")
    fake_redis.connected = False  # Redis is down
    sent = _send_every_email()  # nothing raises: every request would have succeeded
    assert OutgoingEmail.objects.count() == len(sent) == 2 * len(EMAILS)
    assert set(OutgoingEmail.objects.values_list("status", flat=True)) == {"pending"}
    assert mail.outbox == []

    fake_redis.connected = True  # Redis is back
    assert queue.count == 0  # the jobs of the outage never reached it
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=5)):
        call_command("jobs_sweep", stdout=open(os.devnull, "w"))  # noqa: SIM115
    assert queue.count == len(sent)
    assert mail.outbox == []  # handed over, not delivered by the sweep
    SimpleWorker([queue], connection=queue.connection).work(burst=True)

    assert set(OutgoingEmail.objects.values_list("status", flat=True)) == {"sent"}
    assert len(mail.outbox) == len(sent)
    _check_languages({m.to[0]: (m.subject, m.body) for m in mail.outbox}, sent)


@pytest.mark.django_db(transaction=True)
def test_the_sweep_delivers_itself_while_redis_stays_down(settings, fake_redis):
    settings.JOBS_IN_PROCESS = False
    fake_redis.connected = False
    user = UserFactory()
    notify(
        user=user,
        template="eligibility/email/verification_expired",
        context={"valid_until": dt.date(2026, 1, 31), "url": site_url("/me/")},
    )
    assert OutgoingEmail.objects.get().status == "pending"
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=5)):
        call_command("jobs_sweep", stdout=open(os.devnull, "w"))  # noqa: SIM115
    assert OutgoingEmail.objects.get().status == "sent" and len(mail.outbox) == 1


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_every_email_through_a_real_redis_outage_and_a_real_worker(settings, tmp_path):
    """The same with a real Redis and `manage.py rqworker` in another process,
    which delivers into files (its own mail backend) that we read back."""
    settings.SITE_URL = SITE
    settings.JOBS_IN_PROCESS = False
    redis_url = os.environ["REDIS_URL"]
    settings.RQ_QUEUES = {"default": {"URL": UNREACHABLE_REDIS, "DEFAULT_TIMEOUT": 5}}
    sent = _send_every_email()
    assert set(OutgoingEmail.objects.values_list("status", flat=True)) == {"pending"}

    settings.RQ_QUEUES = {"default": {"URL": redis_url, "DEFAULT_TIMEOUT": 60}}
    import django_rq

    django_rq.get_queue("default").empty()
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=5)):
        call_command("jobs_sweep", stdout=open(os.devnull, "w"))  # noqa: SIM115
    assert django_rq.get_queue("default").count == len(sent)

    outbox_dir = tmp_path / "mail"
    result = run_rqworker(
        REDIS_URL=redis_url,
        OUTBOX_DELIVERY_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        EMAIL_FILE_PATH=str(outbox_dir),
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert set(OutgoingEmail.objects.values_list("status", flat=True)) == {"sent"}, result.stderr[
        -2000:
    ]
    messages = dict(_read_mail_files(outbox_dir))
    assert len(messages) == len(sent)
    _check_languages(messages, sent)


def _read_mail_files(folder: Path):  # type: ignore[no-untyped-def]
    """(address, (subject, text)) of every message Django's file backend wrote."""
    separator = b"\n" + b"-" * 79 + b"\n"
    for path in folder.iterdir():
        for raw in path.read_bytes().split(separator):
            if not raw.strip():
                continue
            parsed = message_from_bytes(raw.strip())
            text = next(
                part
                for part in parsed.walk()
                if part.get_content_type() == "text/plain" and not part.is_multipart()
            )
            payload = text.get_payload(decode=True)
            body = payload.decode(text.get_content_charset() or "utf-8")
            yield parsed["To"], (str(make_header(decode_header(parsed["Subject"]))), body)
