from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class OutgoingEmail(models.Model):
    """A message waiting for, or done with, delivery. The outbox makes mail
    durable: the request that produced it has already succeeded.

    Rows are written by `services.notify` (our own emails, rendered in the
    recipient's language) and by `backends.OutboxEmailBackend` (mail that
    libraries send through Django's mail API), and delivered by the job
    `tasks.email_deliver`. `key`, when given, makes a message unique: the
    same key is never queued twice (e.g. one email per status-change event)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed permanently")

    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    key = models.CharField(
        _("key"),
        max_length=200,
        unique=True,
        null=True,
        blank=True,
        help_text=_("Makes the message unique (e.g. one email per status change)."),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    template = models.CharField(_("template"), max_length=200, blank=True)
    language = models.CharField(_("language"), max_length=8, blank=True)
    from_email = models.CharField(_("from"), max_length=254, blank=True)
    to = models.JSONField(_("to"), default=list)
    cc = models.JSONField(_("cc"), default=list, blank=True)
    bcc = models.JSONField(_("bcc"), default=list, blank=True)
    reply_to = models.JSONField(_("reply to"), default=list, blank=True)
    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(_("text"), blank=True)
    html = models.TextField(_("HTML"), blank=True)
    headers = models.JSONField(_("headers"), default=dict, blank=True)
    # A message rendered at delivery (`services.notify(..., deferred=True)`):
    # the templates' context (`rendering.context_dump`) until then; subject,
    # text and HTML are written, and this emptied, once it is sent.
    context = models.JSONField(_("context to render"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("outgoing email")
        verbose_name_plural = _("outgoing emails")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.subject or self.template} → {', '.join(self.to)} ({self.status})"
