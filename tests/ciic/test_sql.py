"""ciic.sql: written-out statements built from the models' metadata."""

import datetime as dt

import pytest
from django.db import connection

from ciic.accounts.models import User
from ciic.audit import events
from ciic.audit.models import Event
from ciic.audit.services import event_insert_sql
from ciic.sql import data_modifying_ctes, raw_instances
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_raw_instances_match_the_orm_with_converters_and_extra_columns():  # type: ignore[no-untyped-def]
    user = UserFactory(first_name="Ioana")
    table = connection.ops.quote_name(User._meta.db_table)
    for _round in range(2):  # the second time from the kept plan
        (loaded,) = raw_instances(
            User,
            f"SELECT *, 7 AS lucky FROM {table} WHERE id = %s",  # noqa: S608
            [user.pk],
        )
        orm = User.objects.get(pk=user.pk)
        for field in User._meta.concrete_fields:
            assert getattr(loaded, field.attname) == getattr(orm, field.attname), field.name
        assert isinstance(loaded.date_joined, dt.datetime) and loaded.is_active is True
        assert loaded.lucky == 7 and loaded.get_deferred_fields() == set()
        assert loaded._state.adding is False
    (partial,) = raw_instances(User, f"SELECT id, email FROM {table} WHERE id = %s", [user.pk])  # noqa: S608
    assert partial.get_deferred_fields() >= {"first_name"}
    assert partial.first_name == "Ioana"  # loaded on access, as the ORM does
    assert raw_instances(User, f"SELECT * FROM {table} WHERE id = %s", [user.pk + 99]) == []  # noqa: S608


@pytest.mark.skipif(not data_modifying_ctes(), reason="SQLite cannot write in WITH")
def test_an_audit_row_written_in_a_cte_only_when_its_source_wrote_one():  # type: ignore[no-untyped-def]
    user = UserFactory()
    for wrote in (True, False):
        sql, params = event_insert_sql(
            actor=user, action=events.BALLOT_CAST, obj=user, after={"n": 1}, source="s"
        )
        with connection.cursor() as cursor:
            cursor.execute(
                f"WITH s AS (SELECT 1 AS one WHERE %s), e AS ({sql}) SELECT 1",
                [wrote, *params],
            )
    (event,) = Event.objects.filter(action=events.BALLOT_CAST)
    assert event.actor == user and event.after == {"n": 1} and event.object_id == str(user.pk)
    assert event.created_at is not None and event.actor_label == str(user)


def test_insert_from_gives_the_values_a_model_instance_would():  # type: ignore[no-untyped-def]
    import time_machine

    from ciic.notifications.models import OutgoingEmail
    from ciic.sql import _insert_select, insert_from

    user = UserFactory()
    values = {"to": ["a@example.org"], "user": user, "template": "t", "context": {"k": [1]}}
    _head, fields = _insert_select(OutgoingEmail, connection.vendor)
    with time_machine.travel(dt.datetime(2026, 5, 4, 9, 30, tzinfo=dt.UTC), tick=False):
        _sql, params = insert_from(OutgoingEmail, values, source="s")
        instance = OutgoingEmail(**values)
        expected = [f.get_db_prep_save(f.pre_save(instance, True), connection) for f in fields]
    assert [repr(p) for p in params] == [repr(p) for p in expected]
    with pytest.raises(TypeError, match="no field colour"):
        insert_from(OutgoingEmail, {**values, "colour": "red"}, source="s")
