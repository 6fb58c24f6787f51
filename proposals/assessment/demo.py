"""Demo data of the assessment (idempotent): a call in its assessment phase
with proposals in every assessment state, made through the services, so the
console, the dashboard, the timelines and the author's pages show a real run:
unassigned, assigned and overdue, changes requested, eligible, ineligible with
public reasons, awaiting four-eyes confirmation, an open appeal, a rejected
appeal, a merged duplicate, and a thread between an author and the council."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from ciic.accounts.models import Role, User
from proposals.models import LOCAL_TZ, Call, Category, Proposal
from proposals.services import call_create

from . import services
from .models import Department

CALL_SLUG = "bugetare-participativa-2027"
DOMAIN = "demo.ciic6.ro"
DEPARTMENTS = [
    "Direcția Investiții",
    "Direcția Patrimoniu",
    "Administrația Domeniului Public Sector 6",
]
# title, summary, category, point (lat, lon) or None, cost
ROWS: list[tuple[str, str, str, tuple[float, float] | None, int]] = [
    ("Bănci și coșuri noi pe Aleea Callatis", "Înlocuirea a 40 de bănci rupte și montarea de coșuri de gunoi pe alee.", "mediu", (44.4225, 26.0305), 95000),
    ("Skatepark în Parcul Drumul Taberei", "Un skatepark din beton pentru adolescenți, lângă terenurile de sport.", "mediu", (44.4210, 26.0345), 430000),
    ("Cursuri de prim ajutor în școli", "Cursuri gratuite pentru elevii de gimnaziu, ținute de paramedici.", "educatie", None, 60000),
    ("Loc de joacă pe strada Sibiului", "Loc de joacă pentru copiii de 2-10 ani în scuarul dintre blocuri.", "mediu", (44.4245, 26.0285), 240000),
    ("Parcare supraetajată pe Bd. Iuliu Maniu", "Parcare pe patru niveluri pe terenul de lângă bulevard.", "infrastructura", (44.4340, 26.0200), 495000),
    ("Iluminat pe aleea Parcului Moghioroș", "Stâlpi cu LED pe aleea neluminată dinspre strada Brașov.", "siguranta", (44.4255, 26.0365), 150000),
    ("Pasaj subteran la Piața Gorjului", "Pasaj pietonal pe sub intersecție, cu lifturi.", "infrastructura", (44.4355, 26.0120), 490000),
    ("Loc de joacă nou în scuarul de pe strada Sibiu", "Echipamente de joacă pentru copii în scuarul de pe strada Sibiu.", "mediu", (44.4247, 26.0290), 230000),
    ("Tramvai turistic în Parcul Crângași", "Un tren turistic pe aleile parcului, cu bilet gratuit pentru copii.", "altele", (44.4510, 26.0470), 300000),
]  # fmt: skip


def _second_assessor() -> User:
    from ciic.accounts.demo import _account, _totp

    user = _account(f"assessor2@{DOMAIN}", roles=[Role.ASSESSOR])
    _totp(user)
    return user


def seed(out: Any) -> None:
    try:
        import time_machine
    except ImportError:  # demo data only; time-machine is a dev dependency
        out.write("proposals.assessment.demo: time-machine not installed, skipped")
        return
    if Call.objects.filter(slug=CALL_SLUG).exists():
        out.write(f"Demo call {CALL_SLUG}: already assessed")
        return
    admin = User.objects.filter(email__iexact=f"admin@{DOMAIN}").first()
    assessor = User.objects.filter(email__iexact=f"assessor@{DOMAIN}").first()
    authors = list(
        User.objects.filter(email__in=[f"autor{i}@{DOMAIN}" for i in range(1, 9)]).order_by("email")
    )
    if admin is None or assessor is None or len(authors) < 8:
        out.write("proposals.assessment.demo: demo accounts or authors missing; skipped")
        return
    from proposals.demo import CATEGORY_HELP, _submitted

    second = _second_assessor()
    departments = [Department.objects.get_or_create(name=name)[0] for name in DEPARTMENTS]
    now = timezone.now()
    today = now.astimezone(LOCAL_TZ).date()

    def at(day: dt.date, hour: int = 10):  # type: ignore[no-untyped-def]
        return time_machine.travel(dt.datetime.combine(day, dt.time(hour), LOCAL_TZ), tick=False)

    with at(today - dt.timedelta(days=61)):
        call = call_create(
            actor=None,
            name="Bugetare participativă Sector 6 — 2027",
            slug=CALL_SLUG,
            year=2027,
            total_budget=Decimal("8000000"),
            max_cost_per_proposal=Decimal("500000"),
            submission_start=today - dt.timedelta(days=60),
            submission_end=today - dt.timedelta(days=15),
            assessment_start=today - dt.timedelta(days=14),
            assessment_end=today + dt.timedelta(days=20),
            voting_start=today + dt.timedelta(days=30),
            voting_end=today + dt.timedelta(days=40),
            results_date=today + dt.timedelta(days=45),
            implementation_start=today + dt.timedelta(days=60),
            categories={c.value: CATEGORY_HELP[c] for c in Category},
        )
        services.call_assessment_configure(
            actor=None,
            call=call,
            four_eyes=True,
            competence_notes={
                "infrastructura": "Doar străzile și trotuarele din administrarea sectorului "
                "(HCGMB 254/2008); bulevardele principale sunt ale PMB.",
                "mediu": "Parcurile și scuarurile administrate de ADP Sector 6.",
            },
        )
    proposals: list[Proposal] = []
    with at(today - dt.timedelta(days=30)):
        for i, (title, summary, category, point, cost) in enumerate(ROWS):
            proposals.append(
                _submitted(authors[i % len(authors)], call, title, summary, category, point, cost)
            )
    (unassigned, overdue, changes, eligible, ineligible, pending, appealed, duplicate,
     rejected) = proposals  # fmt: skip

    with at(today - dt.timedelta(days=13)):
        services.assessment_assign(
            actor=admin, proposals=proposals[2:], assessor=assessor, department=departments[0]
        )
        services.assessment_assign(
            actor=admin,
            proposals=[overdue],
            assessor=assessor,
            department=departments[2],
            due_date=today - dt.timedelta(days=3),
        )
        services.assessment_assign(actor=admin, proposals=[appealed], assessor=second)
    with at(today - dt.timedelta(days=9)):
        services.assessment_record(
            actor=assessor,
            proposal=overdue,
            data={
                "competence": True,
                "competence_basis": "Legea 215/2001, art. 129",
                "land_controlled": "unknown",
                "land_notes": "Se așteaptă răspunsul Direcției Patrimoniu.",
            },
        )
        services.message_post(
            actor=overdue.author,
            proposal=overdue,
            body="Bună ziua, skatepark-ul ar putea fi și lângă lac, dacă acolo e mai ușor.",
        )
        services.message_post(
            actor=assessor,
            proposal=overdue,
            body="Mulțumim. Verificăm ambele terenuri și revenim în câteva zile.",
        )
        for p, cost in ((eligible, "235.000"), (duplicate, "228.000")):
            services.assessment_record(
                actor=assessor,
                proposal=p,
                data={
                    "competence": True,
                    "competence_basis": "Legea 215/2001",
                    "land_controlled": "yes",
                    "legally_feasible": True,
                    "technically_feasible": True,
                    "cost_estimate": cost,
                    "maintenance_cost": "12.000",
                    "months": 6,
                    "cost_notes": "Estimare pe baza contractelor ADP din 2025.",
                },
            )
    with at(today - dt.timedelta(days=6)):
        services.assessment_request_changes(
            actor=assessor,
            proposal=changes,
            message="Precizați pentru ce clase sunt cursurile și câte ore pe an propuneți.",
            deadline=today + dt.timedelta(days=5),
        )
        services.assessment_decide(actor=assessor, proposal=eligible, outcome="eligible")
        services.decision_confirm(actor=second, proposal=eligible, approve=True)
        services.assessment_decide(
            actor=assessor,
            proposal=ineligible,
            outcome="ineligible",
            reason="competence",
            explanation="Bulevardul Iuliu Maniu și terenul de lângă el sunt administrate de "
            "Primăria Municipiului București, nu de Sectorul 6.",
        )
        services.decision_confirm(actor=second, proposal=ineligible, approve=True)
        services.assessment_decide(
            actor=assessor,
            proposal=duplicate,
            outcome="ineligible",
            reason="duplicate",
            explanation="Aceeași idee, în același scuar, ca propunerea "
            f"{eligible.reference}; cele două propuneri au fost unite.",
            duplicate_of=eligible,
        )
        services.decision_confirm(actor=second, proposal=duplicate, approve=True)
        services.assessment_decide(
            actor=assessor,
            proposal=rejected,
            outcome="ineligible",
            reason="not_feasible",
            explanation="Aleile parcului nu permit circulația unui vehicul de această mărime.",
        )
        services.decision_confirm(actor=second, proposal=rejected, approve=True)
    with at(today - dt.timedelta(days=4)):
        services.appeal_lodge(
            actor=rejected.author,
            proposal=rejected,
            argument="Există trenulețe electrice înguste, potrivite pentru alei.",
        )
        services.appeal_decide(
            actor=admin,  # neither the assessor nor the second one took part in the appeal
            proposal=rejected,
            upheld=False,
            explanation="Chiar și varianta îngustă depășește lățimea aleilor (2 m) pe jumătate "
            "din traseu.",
        )
    with at(today - dt.timedelta(days=2)):
        services.assessment_decide(actor=assessor, proposal=pending, outcome="eligible")
        services.assessment_decide(
            actor=second,
            proposal=appealed,
            outcome="ineligible",
            reason="over_max_cost",
            explanation="Un pasaj subteran cu lifturi costă peste 500.000 de lei, maximul "
            "apelului.",
        )
        services.decision_confirm(actor=assessor, proposal=appealed, approve=True)
    with at(today - dt.timedelta(days=1)):
        services.appeal_lodge(
            actor=appealed.author,
            proposal=appealed,
            argument="Lifturile pot fi înlocuite cu rampe, ceea ce reduce costul sub maxim.",
        )
    out.write(f"Demo call {CALL_SLUG}: {len(proposals)} proposals in every assessment state")
