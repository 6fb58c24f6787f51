"""The one way the platform sends email: `notify`.

    notify(user=author, template="proposals/email/status_changed",
           context={"proposal": p, ...}, key=f"proposal-status:{event.pk}")

renders the templates (see `rendering`) in the recipient's language, writes
the message to the outbox (`OutgoingEmail`) in the caller's transaction, and
enqueues its delivery for after the commit (`ciic.jobs.enqueue`). If the
transaction rolls back, no email; if Redis, a worker or the mail server is
down, the message waits in the outbox and the sweep delivers it later. Never
call Django's `send_mail` in the platform's code."""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives, get_connection
from django.db import IntegrityError, connections, router, transaction
from django.template import TemplateDoesNotExist, TemplateSyntaxError
from django.utils import timezone

from ciic.jobs import enqueue, enqueue_coalesced
from ciic.sql import insert_from

from .models import OutgoingEmail
from .rendering import context_dump, context_load, email_render, supported_language

if TYPE_CHECKING:
    from ciic.accounts.models import User

logger = logging.getLogger(__name__)
# A message is retried after 1, 2, 4, 8, then every 15 minutes, so a mail
# server that is down for hours loses nothing: it is given up (failed) only
# after MAX_ATTEMPTS, about two days.
MAX_ATTEMPTS = 200
MAX_RETRY_PAUSE = dt.timedelta(minutes=15)


def retry_pause(attempts: int) -> dt.timedelta:
    """How long the sweep waits after the `attempts`-th failed delivery."""
    return min(dt.timedelta(minutes=2 ** min(max(attempts - 1, 0), 10)), MAX_RETRY_PAUSE)


def recipient_language(*, user: User | None = None, language: str | None = None) -> str:
    """`language` if given and supported, else the account's preferred
    language, else the site's default (Romanian)."""
    return (
        supported_language(language)
        or supported_language(getattr(user, "preferred_language", None))
        or settings.LANGUAGE_CODE
    )


def notify(
    *,
    template: str,
    context: Mapping[str, Any] | None = None,
    user: User | None = None,
    email: str | None = None,
    language: str | None = None,
    key: str | None = None,
    batched: bool = False,
    deferred: bool = False,
) -> OutgoingEmail | None:
    """Email `user` (or the address `email`, e.g. one not yet confirmed, or one
    with no account) using the templates `<template>_subject.txt`,
    `<template>_message.txt` and optionally `<template>_message.html`.

    The language is `language` if given, else the account's preferred one,
    else the default. `context` is the templates' context (plus `user`,
    `email`, `site_name`, `site_url`, `current_site`); build links with
    `ciic.links.site_url(path)`. With `key`, the message is queued at most
    once: a second call with the same key returns the first message and sends
    nothing. `batched`: delivered with the other messages queued meanwhile by
    one job (`emails_deliver_fresh`) instead of a job of its own: for mail
    sent in bursts (a receipt per ballot on voting day). `deferred`: the
    templates are rendered at delivery, not now (the row keeps the template,
    the language and `context` as JSON, see `rendering.context_dump`; the
    templates then get `email` but no `user`): for mail sent in bursts, whose
    senders should not pay for rendering. Returns the outbox row, or None when
    there is no address."""
    recipient = (email or getattr(user, "email", "") or "").strip()
    if not recipient:
        return None
    if key is not None:
        existing = OutgoingEmail.objects.filter(key=key).first()
        if existing is not None:
            return existing
    lang = recipient_language(user=user, language=language)
    if deferred:
        return email_queue(
            to=[recipient],
            subject="",
            body="",
            context=context_dump(context or {}),
            user=user,
            template=template,
            language=lang,
            key=key,
            batched=batched,
        )
    rendered = email_render(
        template, {"user": user, "email": recipient, **(context or {})}, language=lang
    )
    return email_queue(
        to=[recipient],
        subject=rendered.subject,
        body=rendered.body,
        html=rendered.html,
        user=user,
        template=template,
        language=lang,
        key=key,
        batched=batched,
    )


def email_queue(
    *,
    to: Sequence[str],
    subject: str,
    body: str,
    html: str = "",
    from_email: str = "",
    cc: Sequence[str] = (),
    bcc: Sequence[str] = (),
    reply_to: Sequence[str] = (),
    headers: Mapping[str, str] | None = None,
    user: User | None = None,
    template: str = "",
    language: str = "",
    key: str | None = None,
    batched: bool = False,
    context: dict[str, Any] | None = None,
) -> OutgoingEmail:
    """Write one ready message (or, with `context`, one to render at delivery) to the outbox and enqueue its delivery after
    the commit (`batched`: see `notify`). Used by `notify` and by the outbox
    email backend."""
    from .tasks import OUTBOX_BATCH, email_deliver, emails_deliver_batch

    fields = {
        "to": list(to),
        "cc": list(cc),
        "bcc": list(bcc),
        "reply_to": list(reply_to),
        "subject": subject[:300],
        "body": body,
        "html": html,
        "from_email": from_email,
        "headers": dict(headers or {}),
        "user": user if getattr(user, "pk", None) else None,
        "template": template[:200],
        "language": language,
        "key": key,
        "context": context,
    }
    if key is None:  # nothing to collide with: no savepoint needed
        row = OutgoingEmail.objects.create(**fields)
    else:
        try:
            with transaction.atomic():
                row = OutgoingEmail.objects.create(**fields)
        except IntegrityError:
            return OutgoingEmail.objects.get(key=key)  # queued at the same moment elsewhere
    if batched:
        enqueue_coalesced(
            emails_deliver_batch, key=OUTBOX_BATCH, settle=settings.OUTBOX_BATCH_SETTLE_SECONDS
        )
    else:
        enqueue(email_deliver, row.pk)
    return row


def email_insert_sql(
    *,
    template: str,
    context: Mapping[str, Any],
    source: str,
    user: User | None = None,
    email: str | None = None,
    language: str | None = None,
) -> tuple[str, list[Any]] | None:
    """`notify(..., batched=True, deferred=True)` as a part of a caller's single
    statement (see `ciic.sql`): the outbox row, written only if the CTE
    `source` wrote a row. None when there is no address. Returns (sql, params);
    once the statement wrote the row, call `emails_batch_after_commit()`."""
    recipient = (email or getattr(user, "email", "") or "").strip()
    if not recipient:
        return None
    values = {
        "to": [recipient],
        "user_id": getattr(user, "pk", None),
        "template": template[:200],
        "language": recipient_language(user=user, language=language),
        "subject": "",
        "context": context_dump(context),
    }
    return insert_from(OutgoingEmail, values, source=source)


def emails_batch_after_commit() -> None:
    """Deliver the batched messages (`notify(..., batched=True)`) after the commit."""
    from .tasks import OUTBOX_BATCH, emails_deliver_batch

    enqueue_coalesced(
        emails_deliver_batch, key=OUTBOX_BATCH, settle=settings.OUTBOX_BATCH_SETTLE_SECONDS
    )


class RenderingError(Exception):
    """A deferred message's templates failed; the text names the template and
    the kind of error, never the context."""


def email_rendered(row: OutgoingEmail) -> bool:
    """Render a deferred message (`notify(..., deferred=True)`) into its
    subject, text and HTML, in place (not saved). False if it was ready."""
    if row.context is None:
        return False
    try:
        rendered = email_render(
            row.template,
            {"email": row.to[0] if row.to else "", **context_load(row.context)},
            language=row.language or settings.LANGUAGE_CODE,
        )
    except (TemplateDoesNotExist, TemplateSyntaxError) as exc:
        raise RenderingError(f"rendering {row.template}: {exc}") from None
    except Exception as exc:
        # Only the kind of error: its text might quote the context (a receipt
        # code), which must not reach the logs nor `last_error`.
        raise RenderingError(f"rendering {row.template}: {type(exc).__name__}") from None
    row.subject, row.body, row.html = rendered.subject, rendered.body, rendered.html
    row.context = None
    return True


def email_message(row: OutgoingEmail) -> EmailMessage:
    """The Django message an outbox row stands for (a deferred one: render it
    first, `email_rendered`)."""
    if row.context is not None:
        raise ValueError("the message is not rendered yet")
    common: dict[str, Any] = {
        "subject": row.subject,
        "from_email": row.from_email or None,
        "to": row.to,
        "cc": row.cc or None,
        "bcc": row.bcc or None,
        "reply_to": row.reply_to or None,
        "headers": row.headers or None,
    }
    if row.body:
        with_text = EmailMultiAlternatives(body=row.body, **common)
        if row.html:
            with_text.attach_alternative(row.html, "text/html")
        return with_text
    html_only = EmailMessage(body=row.html, **common)
    html_only.content_subtype = "html"
    return html_only


def email_deliver(*, email_id: int) -> bool:
    """Deliver one outbox message through the real backend
    (`OUTBOX_DELIVERY_BACKEND`). Safe to call twice: the row is locked and a
    sent message is not sent again."""
    with transaction.atomic():
        row = OutgoingEmail.objects.select_for_update().filter(pk=email_id).first()
        if row is None or row.status != OutgoingEmail.Status.PENDING:
            return False
        row.attempts += 1
        row.last_attempt_at = timezone.now()
        rendered = False
        try:
            rendered = email_rendered(row)
            message = email_message(row)
            message.connection = get_connection(settings.OUTBOX_DELIVERY_BACKEND)
            message.send()
        except Exception as exc:
            logger.warning("delivery of email %s failed: %s", row.pk, exc)
            row.last_error = str(exc)[:2000]
            if row.attempts >= MAX_ATTEMPTS:
                row.status = OutgoingEmail.Status.FAILED
            # A deferred message stays deferred (its context is not overwritten).
            row.save(update_fields=["attempts", "last_attempt_at", "last_error", "status"])
            return False
        row.status = OutgoingEmail.Status.SENT
        row.sent_at = timezone.now()
        fields = ["attempts", "last_attempt_at", "status", "sent_at", "last_error"]
        if rendered:
            fields += ["subject", "body", "html", "context"]
        row.save(update_fields=fields)
        return True


def emails_deliver_fresh(*, batch: int = 100, seconds: float = 60) -> int:
    """Deliver the pending messages never tried yet, `batch` at a time, each
    batch over one connection to the mail server and in one transaction
    (rows locked, those another delivery holds skipped, so nothing is sent
    twice), until none is left or `seconds` have passed. A message that
    fails counts one attempt and is left to the sweep (`emails_pending_ids`,
    with its pause), and the run stops: the server is probably down. Returns
    how many were sent."""
    sent = 0
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        done, seen, failed = _deliver_batch(batch)
        sent += done
        if failed or seen < batch:
            break
    return sent


def _deliver_batch(size: int) -> tuple[int, int, bool]:
    """(sent, rows looked at, a failure) for one batch of `emails_deliver_fresh`.
    The rows are written back in at most three UPDATEs (sent, the one that
    failed, or all of them when no connection could be opened)."""
    with transaction.atomic():
        rows = list(
            OutgoingEmail.objects.select_for_update(skip_locked=True)
            .filter(status=OutgoingEmail.Status.PENDING, attempts=0)
            .order_by("pk")[:size]
        )
        if not rows:
            return 0, 0, False
        tried_at = timezone.now()
        sent: list[int] = []
        error = ""
        failed_id = None
        connection = None
        # Deferred messages rendered here; one whose templates fail is left
        # pending with its error (one attempt) and does not stop the others.
        rendered: list[OutgoingEmail] = []
        unrenderable: dict[int, str] = {}
        for row in rows:
            try:
                if email_rendered(row):
                    rendered.append(row)
            except RenderingError as exc:
                logger.warning("email %s: %s", row.pk, exc)
                unrenderable[row.pk] = str(exc)[:2000]
        try:
            connection = get_connection(settings.OUTBOX_DELIVERY_BACKEND)
            connection.open()
            for row in rows:
                if row.pk in unrenderable:
                    continue
                failed_id = row.pk
                message = email_message(row)
                message.connection = connection
                message.send()
                sent.append(row.pk)
            failed_id = None
        except Exception as exc:
            logger.warning("batch delivery of email stopped: %s", exc)
            error = str(exc)[:2000]
        finally:
            if connection is not None:
                try:
                    connection.close()
                except Exception:  # noqa: S110 - a broken connection to a server that failed
                    pass
        batch = OutgoingEmail.objects.filter(pk__in=[r.pk for r in rows])
        for pk, reason in unrenderable.items():
            batch.filter(pk=pk).update(attempts=1, last_attempt_at=tried_at, last_error=reason)
        if sent:
            done = set(sent)
            texts = [r for r in rendered if r.pk in done]
            if texts:  # what was sent, kept as for any other message
                _texts_save(texts)
            batch.filter(pk__in=sent).update(
                status=OutgoingEmail.Status.SENT,
                attempts=1,
                last_attempt_at=tried_at,
                sent_at=timezone.now(),
                last_error="",
            )
        if error:
            # The message that failed, or all of them when no connection opened:
            # one try each (MAX_ATTEMPTS is far); the sweep retries after its pause.
            failing = batch.filter(pk=failed_id) if failed_id is not None else batch
            failing.update(attempts=1, last_attempt_at=tried_at, last_error=error)
        return len(sent), len(rows), bool(error)


def _texts_save(rows: list[OutgoingEmail]) -> None:
    """Keep the text of messages rendered at delivery as it was sent (their
    context dropped): one written-out UPDATE per row, sent together
    (`executemany`). The ORM's `bulk_update` spent most of a batch's CPU
    building its CASE expressions (about 4 ms per message)."""
    meta = OutgoingEmail._meta
    connection = connections[router.db_for_write(OutgoingEmail)]
    qn = connection.ops.quote_name
    col = {f.name: qn(str(f.column)) for f in meta.concrete_fields}
    sql = (
        f"UPDATE {qn(str(meta.db_table))} SET {col['subject']} = %s, {col['body']} = %s, "  # noqa: S608 - names from the model, values as parameters
        f"{col['html']} = %s, {col['context']} = NULL WHERE {col['id']} = %s"
    )
    with connection.cursor() as cursor:
        cursor.executemany(sql, [(r.subject, r.body, r.html, r.pk) for r in rows])


def emails_pending_ids(*, older_than: dt.timedelta = dt.timedelta(minutes=2)) -> list[int]:
    """Pending messages queued at least `older_than` ago whose pause after
    their last failed attempt (`retry_pause`) has passed."""
    now = timezone.now()
    rows = (
        OutgoingEmail.objects.filter(
            status=OutgoingEmail.Status.PENDING, created_at__lte=now - older_than
        )
        .order_by("created_at")
        .values_list("pk", "attempts", "last_attempt_at")[:1000]
    )
    return [
        pk
        for pk, attempts, last in rows
        if last is None or attempts == 0 or last + retry_pause(attempts) <= now
    ]


def emails_redact_sent(*, older_than_days: int | None = None) -> int:
    """Blank the text of messages sent more than `OUTBOX_RETENTION_DAYS` ago
    (it holds personal data and links with tokens). The row stays, as the
    record of what was sent to whom and when, and keeps its `key`, so a
    message is still never sent twice."""
    days = older_than_days if older_than_days is not None else settings.OUTBOX_RETENTION_DAYS
    if days <= 0:
        return 0
    cutoff = timezone.now() - dt.timedelta(days=days)
    return (
        OutgoingEmail.objects.filter(status=OutgoingEmail.Status.SENT, sent_at__lt=cutoff)
        .exclude(body="", html="", context__isnull=True)
        .update(body="", html="", context=None)
    )
