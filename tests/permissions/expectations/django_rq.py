"""The django-rq job dashboard at /django-rq/:
the administrator only (Django's staff flag), in a session that passed the
second factor. Its JSON statistics need the same session (no API token)."""

from ..policy import ADMINISTRATOR, NOT_ALLOWED, NOT_FOUND, OK, Outcome, redirect, rule, staff

Q = lambda w: {"queue_index": 0}  # noqa: E731
JOB = lambda w: {"queue_index": 0, "job_id": "no-such-job"}  # noqa: E731


def admin(ok: Outcome = OK):  # type: ignore[no-untyped-def]
    return staff({ADMINISTRATOR}, ok=ok)


def dashboard(prefix: str) -> dict:
    return {
        f"{prefix}home": rule(admin()),
        f"{prefix}home_json": rule(admin()),
        f"{prefix}jobs": rule(admin(), Q),
        f"{prefix}queue_details": rule(admin(), Q),
        f"{prefix}finished_jobs": rule(admin(), Q),
        f"{prefix}failed_jobs": rule(admin(), Q),
        f"{prefix}delete_failed_jobs": rule(admin(), Q),
        f"{prefix}scheduled_jobs": rule(admin(), Q),
        f"{prefix}started_jobs": rule(admin(), Q),
        f"{prefix}deferred_jobs": rule(admin(), Q),
        f"{prefix}clear": rule(admin(), Q),
        f"{prefix}requeue_all": rule(admin(), Q),
        f"{prefix}job_detail": rule(admin(NOT_FOUND), JOB),
        f"{prefix}result_detail": rule(admin(NOT_FOUND), lambda w: {**JOB(w), "result_id": "1"}),
        f"{prefix}delete_job": rule(admin(NOT_FOUND), JOB),
        f"{prefix}requeue_job": rule(admin(NOT_FOUND), JOB),
        f"{prefix}enqueue_job": rule(admin(NOT_FOUND), JOB),
        f"{prefix}stop_job": rule(admin(NOT_ALLOWED), JOB),
        # Bulk actions without a selection: back to the queue.
        f"{prefix}confirm_action": rule(admin(redirect("/django-rq/queues/0/")), Q),
        f"{prefix}actions": rule(admin(redirect("/django-rq/queues/0/")), Q),
        f"{prefix}workers": rule(admin(), Q),
        f"{prefix}worker_details": rule(
            admin(NOT_FOUND), lambda w: {"queue_index": 0, "key": "none"}
        ),
        # rq-scheduler is not used (RQ's own scheduler is): no such page.
        f"{prefix}scheduler_jobs": rule(admin(NOT_FOUND), lambda w: {"scheduler_index": 0}),
        f"{prefix}cron_scheduler_detail": rule(
            admin(NOT_FOUND), lambda w: {"connection_index": 0, "scheduler_name": "none"}
        ),
        f"{prefix}cron_job_detail": rule(
            admin(NOT_FOUND),
            lambda w: {"connection_index": 0, "scheduler_name": "none", "cron_job_name": "none"},
        ),
    }


# Not registered again in the Django admin (RQ_SHOW_ADMIN_LINK = False).
EXPECTATIONS = dashboard("django_rq:")
