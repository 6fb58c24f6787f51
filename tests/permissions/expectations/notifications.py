"""ciic.notifications: the outbox page (administrators, second factor)."""

from ..policy import ADMINISTRATOR, rule, staff


def _some_email(world):  # type: ignore[no-untyped-def]
    return {"pk": world.admin_object("notifications", "OutgoingEmail")}


EXPECTATIONS = {
    "notifications:staff_outbox": rule(staff({ADMINISTRATOR})),
    "notifications:staff_outbox_email": rule(staff({ADMINISTRATOR}), _some_email),
}
