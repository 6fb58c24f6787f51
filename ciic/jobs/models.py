"""Scheduled work, persisted: the database, not Redis, decides what runs when."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ScheduledJob(models.Model):
    """One job to run at `run_at`: `func` (a dotted path) called with `args`.

    `key` names the work ("workshop-reminder:42"): scheduling the same key
    again moves the job (see `ciic.jobs.enqueue_at`). A job runs when it is
    pending and due, under its row's lock, and is then marked done; a failure
    leaves it pending for the sweep to retry (with a growing pause) until
    `services.MAX_ATTEMPTS`, after which it is marked failed."""

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        DONE = "done", _("done")
        CANCELLED = "cancelled", _("cancelled")
        FAILED = "failed", _("failed permanently")

    key = models.CharField(_("key"), max_length=200, unique=True)
    func = models.CharField(_("function"), max_length=200)
    args = models.JSONField(_("arguments"), default=list, blank=True)
    queue = models.CharField(_("queue"), max_length=50, default="default")
    run_at = models.DateTimeField(_("run at"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("scheduled job")
        verbose_name_plural = _("scheduled jobs")
        ordering = ["run_at", "id"]
        indexes = [models.Index(fields=["status", "run_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="done", done_at__isnull=False) | ~Q(status="done"),
                name="jobs_scheduledjob_done_has_time",
            )
        ]

    def __str__(self) -> str:
        return f"{self.key} @ {self.run_at:%Y-%m-%d %H:%M} ({self.status})"
