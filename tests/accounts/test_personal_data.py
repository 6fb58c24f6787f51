"""The resident's own data (/me/data/, JSON) and the deletion of the account:
the person's data go, public proposals stay anonymous, the identity hash is
kept only while a call needs it, the audit log records the deletion without
personal data."""

import datetime as dt
import json

import pytest

from ciic import personal_data
from ciic.accounts.models import User
from ciic.audit.models import Event
from ciic.eligibility.models import ResidentProfile, RetainedIdentity, Verification
from ciic.eligibility.personal_data import identity_retained, retained_identities_purge
from ciic.jobs.models import ScheduledJob
from ciic.notifications.models import OutgoingEmail
from ciic.notifications.services import notify
from proposals.models import Proposal
from tests.auth import PASSWORD, login
from tests.factories import verified_resident
from tests.proposals.conftest import call, frozen, make_draft, make_submitted  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def person(db, frozen):  # type: ignore[no-untyped-def]  # noqa: F811
    frozen.shift(dt.timedelta(days=-30))
    user, verification, cnp = verified_resident(serial=333)
    frozen.shift(dt.timedelta(days=30))
    user.cnp = cnp  # for the assertions only
    user.verification = verification
    return user


def _everything(user) -> str:  # type: ignore[no-untyped-def]
    return json.dumps(
        [[e.actor_label, e.object_repr, e.before, e.after] for e in Event.objects.all()],
        ensure_ascii=False,
        default=str,
    )


def test_my_data_shows_everything_but_the_cnp(client, call, person):  # noqa: F811
    draft = make_draft(author=person, call=call, title="Ciorna mea")
    public = make_submitted(author=person, call=call, title="Propunerea mea publică")
    notify(
        user=person,
        template="proposals/email/status_changed",
        context={
            "proposal": public,
            "status": public.status,
            "status_label": "Depusă",
            "note": "",
            "url": "http://x/",
        },
    )
    login(client, person)
    html = client.get("/me/data/").content.decode()
    profile = ResidentProfile.objects.get(user=person)
    for expected in (
        person.email,
        profile.full_name,
        profile.address,
        "Ciorna mea",
        "Propunerea mea publică",
        draft.summary[:20],
        "proposal.status_changed",
    ):
        assert expected in html, expected
    assert person.cnp not in html and person.verification.cnp_hash not in html

    response = client.get("/me/data.json")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    data = json.loads(response.content)
    assert set(data) >= {"account", "eligibility", "proposals", "messages", "audit"}
    assert data["account"]["email"] == person.email
    assert data["eligibility"]["profile"]["address"] == profile.address
    assert len(data["eligibility"]["verifications"]) == 1
    assert {p["title"] for p in data["proposals"]} == {"Ciorna mea", "Propunerea mea publică"}
    assert data["messages"] and data["messages"][0]["subject"]
    assert any(e["action"] == "proposal.status_changed" and e["by"] == "you" for e in data["audit"])
    # The verification was done by a facilitator: shown as "staff", not by name.
    assert any(e["by"] == "staff" for e in data["audit"])
    raw = response.content.decode()
    assert person.cnp not in raw and person.verification.cnp_hash not in raw
    assert "password" not in raw


def test_deleting_the_account_needs_the_password(client, call, person):  # noqa: F811
    login(client, person)
    assert client.get("/me/delete/").status_code == 200
    response = client.post("/me/delete/", {"password": "wrong-password"})
    assert response.status_code == 400
    assert User.objects.filter(pk=person.pk).exists()


def test_deleting_the_account_removes_the_person_and_keeps_public_proposals(
    client,
    call,  # noqa: F811
    person,
):
    pk, email = person.pk, person.email
    profile = ResidentProfile.objects.get(user=person)
    name, address = profile.full_name, profile.address
    draft = make_draft(author=person, call=call, title="Ciorna secretă")
    public = make_submitted(author=person, call=call, title="Bănci în parc")
    OutgoingEmail.objects.create(user=person, to=[email], subject="Salut", body="text")
    login(client, person)
    response = client.post("/me/delete/", {"password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/"

    assert not User.objects.filter(pk=pk).exists()
    assert not ResidentProfile.objects.filter(full_name=name).exists()
    assert not Verification.objects.filter(user_id=pk).exists()
    assert not Proposal.objects.filter(pk=draft.pk).exists()
    public.refresh_from_db()
    assert public.author_id is None and public.status == Proposal.Status.SUBMITTED
    assert client.get(public.get_absolute_url()).status_code == 200
    assert not OutgoingEmail.objects.filter(subject="Salut").exists()
    # No identity kept: no call needs it.
    assert not RetainedIdentity.objects.exists()
    # The log records the deletion, and nothing in it names the person any more.
    deleted = Event.objects.get(action="account.deleted")
    assert deleted.actor_id is None and deleted.object_id == str(pk) and deleted.object_repr == ""
    everything = _everything(None)
    for personal in (email, name, address, "Ciorna secretă"):
        assert personal not in everything, personal
    # The public proposal's own history keeps its public content.
    assert Event.objects.filter(object_id=str(public.pk), action="proposal.status_changed").exists()
    # Logged out.
    assert client.get("/me/").status_code == 302


def test_the_identity_hash_is_kept_only_while_a_call_needs_it(client, call, person):  # noqa: F811
    cnp_hash = person.verification.cnp_hash
    until = dt.date(2026, 6, 25)
    personal_data.register_identity_hold("test-voting", lambda user: until)
    try:
        login(client, person)
        client.post("/me/delete/", {"password": PASSWORD})
    finally:
        personal_data._identity_holds.pop("test-voting")
    kept = RetainedIdentity.objects.get()
    assert kept.cnp_hash == cnp_hash and kept.keep_until == until
    assert identity_retained(cnp_hash, on=dt.date(2026, 6, 25))
    job = ScheduledJob.objects.get(key="retained-identities-purge:2026-06-25")
    assert job.run_at.date() == dt.date(2026, 6, 26)
    # Nothing but the hash: no link to any account.
    assert {f.name for f in RetainedIdentity._meta.fields} == {
        "id",
        "cnp_hash",
        "keep_until",
        "created_at",
    }
    assert retained_identities_purge() == 0  # still needed today
    with __import__("time_machine").travel(dt.datetime(2026, 6, 26, 4, 0), tick=False):
        assert retained_identities_purge() == 1
    assert not RetainedIdentity.objects.exists()


def test_staff_accounts_are_not_deleted_by_themselves(client, frozen):  # noqa: F811
    from ciic.accounts.models import Role
    from tests.auth import add_totp
    from tests.factories import staff_user

    staff = add_totp(staff_user(Role.FACILITATOR))
    login(client, staff)
    response = client.post("/me/delete/", {"password": PASSWORD})
    assert response.status_code == 400
    assert User.objects.filter(pk=staff.pk).exists()


def test_the_log_still_refuses_any_other_change_on_postgresql(db):
    from django.db import connection, models, transaction
    from django.db.utils import DatabaseError

    from ciic.audit.services import _redaction_allowed

    if connection.vendor != "postgresql":
        pytest.skip("the append-only trigger is PostgreSQL's")
    event = Event.objects.create(action="x.y", object_type="a.b", object_id="1", actor_label="a")
    with pytest.raises(DatabaseError), transaction.atomic():
        models.QuerySet.update(Event.objects.filter(pk=event.pk), actor_label="b")
    # Even while a redaction runs, what happened and to what cannot change.
    with pytest.raises(DatabaseError), transaction.atomic(), _redaction_allowed():
        models.QuerySet.update(Event.objects.filter(pk=event.pk), action="z.z")
    with pytest.raises(DatabaseError), transaction.atomic():
        models.QuerySet.delete(Event.objects.filter(pk=event.pk))
