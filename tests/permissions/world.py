"""The test world the URL permission walk runs in: a call open for
submissions today, a resident with a draft and a public proposal (each with an
image and a PDF), another resident, staff of every role, and the logged-in
session of the identity under test, made through allauth's real log-in (and
its TOTP step). Add here what a new page needs (and use it from its rule)."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from allauth.account.models import EmailAddress
from django.contrib.auth import SESSION_KEY
from django.urls import reverse
from django.utils import timezone

from ciic.accounts.models import Role
from tests.auth import PASSWORD, add_totp, login
from tests.factories import UserFactory, verified_resident

from . import policy as P

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _image() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (32, 24), (10, 120, 200)).save(out, "JPEG")
    return out.getvalue()


def _upload(name: str, data: bytes) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data)


@dataclass
class World:
    call: Any
    resident: Any
    other: Any
    staff: dict[str, Any]
    draft: Any
    public: Any
    files: dict[str, str]  # "draft_image", "draft_pdf", "public_image", "public_pdf" -> name
    verification: Any
    home_page: Any
    document: Any
    extra: dict[str, Any] = field(default_factory=dict)

    def admin_object(self, app_label: str, model: str) -> str:
        """The primary key of some row of a model, for Django admin URLs
        ("0" when the table is empty: the admin then says it does not exist)."""
        from django.apps import apps

        obj = apps.get_model(app_label, model).objects.order_by("pk").first()
        return str(obj.pk) if obj is not None else "0"


def _verified(serial: int) -> Any:
    user, _verification, _cnp = verified_resident(serial=serial)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def build_world(home_page: Any) -> World:
    from django.core.files.base import ContentFile
    from wagtail.documents.models import Document

    from proposals.calls import call_schedule_open
    from proposals.models import Category
    from proposals.services import (
        call_create,
        proposal_attachment_add,
        proposal_draft_create,
        proposal_image_add,
        proposal_submit,
        proposal_update,
    )

    today = timezone.localdate()
    call = call_create(
        actor=None,
        name="Bugetare participativă — permisiuni",
        slug="bp-walk",
        year=today.year,
        total_budget=Decimal("5000000"),
        max_cost_per_proposal=Decimal("500000"),
        **call_schedule_open(today=today),
        categories={c.value: "" for c in Category},
    )
    resident = _verified(301)
    other = _verified(302)
    verification = resident.verifications.order_by("-pk").first()

    def proposal(title: str) -> Any:
        p = proposal_draft_create(
            actor=resident,
            call=call,
            title=title,
            summary="Zece bănci noi și arbori pe aleea principală.",
            description="",
            category=Category.MEDIU,
        )
        return proposal_update(
            actor=resident,
            proposal=p,
            data={
                "latitude": 44.4220,
                "longitude": 26.0300,
                "whole_sector": False,
                "cost_estimate": Decimal("120000"),
                "consent_publication": True,
                "consent_image_rights": True,
            },
        )

    draft = proposal("Ciornă privată")
    public = proposal("Propunere publică")
    files = {}
    for key, p in (("draft", draft), ("public", public)):
        image = proposal_image_add(actor=resident, proposal=p, upload=_upload("a.jpg", _image()))
        doc = proposal_attachment_add(actor=resident, proposal=p, upload=_upload("a.pdf", PDF))
        files[f"{key}_image"] = image.file.name
        files[f"{key}_pdf"] = doc.file.name
    public = proposal_submit(actor=resident, proposal=public)

    staff = {
        P.FACILITATOR: UserFactory(roles=[Role.FACILITATOR]),
        P.ASSESSOR: UserFactory(roles=[Role.ASSESSOR]),
        P.ADMINISTRATOR: UserFactory(roles=[Role.ADMINISTRATOR], is_superuser=True, is_staff=True),
    }
    document = Document.objects.create(
        title="Regulament", file=ContentFile(b"Regulament\n", name="regulament.txt")
    )
    # A row in every table the Django admin shows.
    from django.core.files.images import ImageFile
    from taggit.models import Tag
    from wagtail.images.models import Image

    from ciic.jobs.models import ScheduledJob
    from ciic.notifications.models import OutgoingEmail

    Image.objects.create(title="Parc", file=ImageFile(io.BytesIO(_image()), name="parc.jpg"))
    from proposals.assessment.models import CallAssessmentSettings, CompetenceNote, Department

    Department.objects.create(name="Direcția Investiții")
    CallAssessmentSettings.objects.create(call=call, four_eyes=True)
    CompetenceNote.objects.create(call=call, category=Category.MEDIU, note="Parcurile ADP.")
    Tag.objects.create(name="parc", slug="parc")
    OutgoingEmail.objects.create(to=[resident.email], subject="Test", body="Test")
    ScheduledJob.objects.create(
        key="walk:1", func="ciic.jobs.tasks.scheduled_jobs_run_due", run_at=timezone.now()
    )
    extra = {"workshop": _workshop(staff[P.FACILITATOR])}
    return World(
        extra=extra,
        call=call,
        resident=resident,
        other=other,
        staff=staff,
        draft=draft,
        public=public,
        files=files,
        verification=verification,
        home_page=home_page,
        document=document,
    )


def _workshop(facilitator: Any) -> Any:
    """A workshop open for registration, run by the world's facilitator, with an idea."""
    from workshops.services import idea_create, programme_create, workshop_create

    today = timezone.localdate()
    programme = programme_create(
        actor=facilitator,
        name="Ateliere — permisiuni",
        slug="ateliere-walk",
        period_start=today - dt.timedelta(days=30),
        period_end=today + dt.timedelta(days=300),
    )
    start = timezone.now() + dt.timedelta(days=5)
    workshop = workshop_create(
        actor=facilitator,
        programme=programme,
        theme="Curți verzi",
        venue_name="Biblioteca Militari",
        venue_address="Bulevardul Iuliu Maniu 10",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
        capacity=20,
        facilitators=[facilitator],
        open_registration=True,
    )
    idea_create(actor=facilitator, workshop=workshop, title="Bănci", category="mediu")
    return workshop


def log_in(client: Any, world: World, who: P.Identity) -> Any:
    """The identity's session, through allauth (and its TOTP step with `mfa`)."""
    if who.role == P.ANONYMOUS:
        return None
    if who.role == P.UNCONFIRMED:
        user = UserFactory()
        EmailAddress.objects.create(user=user, email=user.email, verified=False, primary=True)
        if who.mfa:
            add_totp(user)
        client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
        assert client.session.get(SESSION_KEY) is None, "an unconfirmed account was logged in"
        return user
    user = {P.RESIDENT: world.resident, P.OTHER: world.other, **world.staff}[who.role]
    if who.mfa:
        add_totp(user)
    login(client, user)
    return user
