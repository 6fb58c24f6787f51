import datetime as dt
import io
import itertools
from decimal import Decimal

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from proposals.calls import call_schedule
from proposals.models import LOCAL_TZ, Category

# Submission runs 1 March - 30 April 2026 (Bucharest), assessment in May.
NOW = dt.datetime(2026, 3, 15, 12, 0, tzinfo=LOCAL_TZ)
INSIDE = {"latitude": 44.4220, "longitude": 26.0300}  # Drumul Taberei
INSIDE_MILITARI = {"latitude": 44.4370, "longitude": 25.9990}
OUTSIDE = {"latitude": 44.4268, "longitude": 26.1025}  # Piața Unirii, Sector 3/4

_serials = itertools.count(100)


def call_kwargs(**overrides):  # type: ignore[no-untyped-def]
    kwargs = dict(
        name="Bugetare participativă 2026",
        slug="bp-2026",
        year=2026,
        total_budget=Decimal("5000000"),
        max_cost_per_proposal=Decimal("500000"),
        max_proposals_per_resident=5,
        # 1 March - 30 April, assessment in May, voting 10-20 June, results 25 June.
        **call_schedule(
            submission_start=dt.date(2026, 3, 1),
            submission_days=61,
            assessment_days=31,
            voting_after=10,
            voting_days=11,
            results_after=5,
            implementation_after=6,
        ),
        categories={c.value: f"Ce intră la {c.label}" for c in Category if c != Category.ALTELE},
    )
    kwargs.update(overrides)
    return kwargs


@pytest.fixture
def frozen():  # type: ignore[no-untyped-def]
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def call(db, frozen, areas):  # type: ignore[no-untyped-def]
    from proposals.services import call_create

    return call_create(actor=None, **call_kwargs())


def make_resident(**kwargs):  # type: ignore[no-untyped-def]
    from tests.factories import verified_resident

    user, _v, _cnp = verified_resident(serial=next(_serials) % 1000, **kwargs)
    return user


@pytest.fixture
def resident(db, frozen):  # type: ignore[no-untyped-def]
    # Verified a year before NOW, so the verification is in force on every test date.
    frozen.shift(dt.timedelta(days=-365))
    user = make_resident()
    frozen.shift(dt.timedelta(days=365))
    return user


@pytest.fixture
def other_resident(db, frozen):  # type: ignore[no-untyped-def]
    frozen.shift(dt.timedelta(days=-365))
    user = make_resident()
    frozen.shift(dt.timedelta(days=365))
    return user


def complete_data(**overrides):  # type: ignore[no-untyped-def]
    data = {
        "title": "Loc de joacă nou în parcul Drumul Taberei",
        "summary": "Un loc de joacă sigur pentru copiii de 3-12 ani, cu suprafață din cauciuc.",
        "description": "## De ce\n\nCopiii din cartier nu au unde să se joace.",
        "category": Category.MEDIU,
        "cost_estimate": Decimal("250000"),
        "whole_sector": False,
        **INSIDE,
        "consent_publication": True,
        "consent_image_rights": True,
    }
    data.update(overrides)
    return data


def make_draft(*, author, call, **overrides):  # type: ignore[no-untyped-def]
    from proposals.services import proposal_draft_create, proposal_update

    data = complete_data(**overrides)
    proposal = proposal_draft_create(
        actor=author,
        call=call,
        title=data.pop("title"),
        summary=data.pop("summary"),
        description=data.pop("description"),
        category=data.pop("category"),
    )
    return proposal_update(actor=author, proposal=proposal, data=data)


def make_submitted(*, author, call, **overrides):  # type: ignore[no-untyped-def]
    from proposals.services import proposal_submit

    return proposal_submit(actor=author, proposal=make_draft(author=author, call=call, **overrides))


def image_bytes(fmt: str = "JPEG", size=(64, 48), exif: bytes | None = None) -> bytes:
    img = Image.new("RGB", size, (200, 30, 30))
    out = io.BytesIO()
    kwargs = {"exif": exif} if exif is not None else {}
    img.save(out, fmt, **kwargs)
    return out.getvalue()


def upload(name: str, data: bytes, content_type: str = "application/octet-stream"):  # type: ignore[no-untyped-def]
    return SimpleUploadedFile(name, data, content_type=content_type)


PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def staff_with_totp(role):  # type: ignore[no-untyped-def]
    """A staff account that passed the MFA setup staff pages require."""
    from tests.auth import add_totp
    from tests.factories import staff_user

    return add_totp(staff_user(role))
