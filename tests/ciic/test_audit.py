import pytest
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, connection, transaction

from ciic.audit.models import Event
from ciic.audit.selectors import events_for_object
from ciic.audit.services import event_record
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_event_record_writes_actor_object_and_states():
    actor = UserFactory()
    target = UserFactory()
    event = event_record(
        actor=actor, action="user.updated", obj=target, before={"a": 1}, after={"a": 2}
    )
    assert event.actor == actor
    assert event.actor_label == actor.email
    assert event.object_type == "accounts.user"
    assert event.object_id == str(target.pk)
    assert (event.before, event.after) == ({"a": 1}, {"a": 2})
    assert list(events_for_object(target)) == [event]


def test_system_actor_is_labelled():
    target = UserFactory()
    event = event_record(actor=None, action="x.done", obj=target)
    assert event.actor is None
    assert event.actor_label == "system"


def test_events_cannot_be_edited_or_deleted_through_the_application():
    event = event_record(actor=None, action="x.done", obj=UserFactory())
    event.action = "forged"
    with pytest.raises(PermissionDenied):
        event.save()
    with pytest.raises(PermissionDenied):
        event.delete()
    with pytest.raises(PermissionDenied):
        Event.objects.filter(pk=event.pk).update(action="forged")
    with pytest.raises(PermissionDenied):
        Event.objects.all().delete()
    assert Event.objects.get(pk=event.pk).action == "x.done"


@pytest.mark.postgres
def test_database_refuses_update_and_delete_on_postgres():
    event = event_record(actor=None, action="x.done", obj=UserFactory())
    for sql in ("UPDATE audit_event SET action = 'forged'", "DELETE FROM audit_event"):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
            cur.execute(sql)
    assert Event.objects.get(pk=event.pk).action == "x.done"


def test_admin_is_read_only(admin_client):
    event = event_record(actor=None, action="x.done", obj=UserFactory())
    assert admin_client.post(f"/django-admin/audit/event/{event.pk}/delete/").status_code in (
        403,
        302,
    )
    assert Event.objects.filter(pk=event.pk).exists()
