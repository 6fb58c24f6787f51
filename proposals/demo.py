"""Demo call with proposals in every category and several zones (idempotent).

Everything goes through the services, so references, versions, audit events
and the public timelines are those a real run would produce."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from ciic.accounts.models import Role, User

from .calls import call_schedule
from .models import LOCAL_TZ, Call, Category, Proposal
from .services import (
    call_create,
    call_english_update,
    proposal_draft_create,
    proposal_submit,
    proposal_transition,
    proposal_update,
)

S = Proposal.Status
CALL_SLUG = "bugetare-participativa-2026"
PAST_CALL_SLUG = "bugetare-participativa-2025"
DOMAIN = "demo.ciic6.ro"

CATEGORY_HELP = {
    Category.MEDIU: "Parcuri, scuaruri, arbori, grădini comunitare, colectare selectivă.",
    Category.EDUCATIE: "Curți de școală, terenuri de sport școlare, dotări pentru grădinițe.",
    Category.CULTURA: "Biblioteci de cartier, evenimente în aer liber, spații pentru artă.",
    Category.SOCIAL: "Centre pentru vârstnici, spații pentru tineri, accesibilitate.",
    Category.INFRASTRUCTURA: "Trotuare, piste de biciclete, iluminat pe străzile sectorului.",
    Category.SIGURANTA: "Treceri de pietoni sigure, iluminat, camere în zone cu risc.",
    Category.SERVICII: "Toalete publice, fântâni de apă potabilă, puncte de informare.",
    Category.ALTELE: "Orice altă idee în competența Consiliului Local Sector 6.",
}

CATEGORY_HELP_EN = {
    Category.MEDIU: "Parks, squares, trees, community gardens, separate waste collection.",
    Category.EDUCATIE: "School yards, school sports grounds, equipment for kindergartens.",
    Category.CULTURA: "Neighbourhood libraries, open-air events, spaces for the arts.",
    Category.SOCIAL: "Centres for older people, spaces for young people, accessibility.",
    Category.INFRASTRUCTURA: "Pavements, cycle lanes, lighting on the sector's streets.",
    Category.SIGURANTA: "Safe pedestrian crossings, lighting, cameras in risky areas.",
    Category.SERVICII: "Public toilets, drinking fountains, information points.",
    Category.ALTELE: "Any other idea within the competence of the Sector 6 Local Council.",
}
CALL_NAMES_EN = {
    "2025": "Participatory budgeting in Sector 6 — 2025",
    "2026": "Participatory budgeting in Sector 6 — 2026",
}


def _english(call: Call) -> None:
    """The English version of a demo call's texts (idempotent)."""
    name = CALL_NAMES_EN.get(str(call.year), "")
    if call.name_en == name and not call.categories.filter(description_en="").exists():
        return
    call_english_update(
        actor=None,
        call=call,
        name=name,
        categories={c.value: text for c, text in CATEGORY_HELP_EN.items()},
    )


# title, summary, category, (lat, lon) or None for the whole sector, cost (lei), target status
PROPOSALS: list[tuple[str, str, str, tuple[float, float] | None, int, str]] = [
    ("Loc de joacă incluziv în Parcul Drumul Taberei", "Echipamente accesibile copiilor cu dizabilități, suprafață din cauciuc turnat și umbrare.", "mediu", (44.4215, 26.0335), 420000, S.ELIGIBLE),
    ("Grădină comunitară pe strada Brașov", "Straturi înălțate pentru vecini, compostor și un punct de apă, întreținute de o asociație de locatari.", "mediu", (44.4235, 26.0260), 85000, S.SUBMITTED),
    ("Perdea verde de-a lungul Bulevardului Iuliu Maniu", "Plantarea a 300 de arbori și arbuști între carosabil și blocuri, pentru umbră și mai puțin praf.", "mediu", (44.4345, 26.0180), 380000, S.UNDER_ASSESSMENT),
    ("Amenajarea malului Lacului Morii pentru plimbare", "Alee pietonală cu bănci, coșuri de gunoi și iluminat pe latura dinspre Crângași.", "mediu", (44.4490, 26.0240), 490000, S.CHANGES_REQUESTED),
    ("Scuar cu fântână arteziană în Crângași", "Refacerea scuarului de lângă stația de metrou cu bănci, flori și o fântână mică.", "mediu", (44.4500, 26.0460), 260000, S.RESUBMITTED),
    ("Curte nouă pentru Școala Gimnazială din Militari", "Teren de sport multifuncțional, marcaje de joacă și copertină pentru orele de sport.", "educatie", (44.4380, 26.0150), 450000, S.ELIGIBLE),
    ("Laborator de robotică pentru liceele din sector", "Kituri de robotică și cursuri după ore pentru elevii de liceu, deschise tuturor școlilor.", "educatie", None, 180000, S.SUBMITTED),
    ("Curte de grădiniță umbrită în Drumul Taberei", "Pergole, nisipar acoperit și arbori pentru curtea unei grădinițe expuse la soare.", "educatie", (44.4200, 26.0280), 140000, S.UNDER_ASSESSMENT),
    ("Bibliotecă în aer liber în Parcul Moghioroș", "Căsuțe pentru schimbul de cărți și un colț de lectură cu bănci și umbră.", "cultura", (44.4250, 26.0370), 45000, S.ELIGIBLE),
    ("Cinema în aer liber vara în Giulești", "Zece seri de film în parc, cu ecran mobil și sonorizare, gratuite pentru locuitori.", "cultura", (44.4560, 26.0320), 95000, S.SUBMITTED),
    ("Atelier de artă pentru tineri în Militari", "Spațiu amenajat într-un centru comunitar pentru ateliere de pictură, muzică și teatru.", "cultura", (44.4360, 25.9980), 210000, S.INELIGIBLE),
    ("Festivalul cartierului Ghencea", "O zi de concerte, ateliere și târg local organizat împreună cu școlile din zonă.", "cultura", (44.4140, 26.0420), 120000, S.SUBMITTED),
    ("Club pentru vârstnici în Drumul Taberei", "Sală cu activități zilnice, mese de șah și cursuri de folosire a telefonului.", "social", (44.4230, 26.0310), 230000, S.ELIGIBLE),
    ("Rampe de acces la blocurile din Militari-Păcii", "Rampe pentru căruciare la 20 de scări de bloc unde locuiesc persoane cu mobilitate redusă.", "social", (44.4370, 25.9990), 310000, S.UNDER_ASSESSMENT),
    ("Spațiu pentru adolescenți în Crângași", "Un loc de întâlnire supravegheat, cu jocuri și program de mentorat după școală.", "social", (44.4485, 26.0420), 175000, S.SUBMITTED),
    ("Masă caldă pentru vârstnicii singuri", "Extinderea cantinei sociale cu livrare la domiciliu pentru vârstnicii din sector.", "social", None, 260000, S.CHANGES_REQUESTED),
    ("Pistă de biciclete pe Bulevardul Uverturii", "Pistă separată fizic de carosabil între Bd. Iuliu Maniu și Drumul Taberei.", "infrastructura", (44.4320, 26.0100), 480000, S.UNDER_ASSESSMENT),
    ("Pistă de biciclete în Militari, pe Bd. Timișoara", "Legătură ciclabilă între Militari și Parcul Drumul Taberei, cu parcări pentru biciclete.", "infrastructura", (44.4290, 26.0150), 495000, S.ELIGIBLE),
    ("Trotuare refăcute pe strada Valea Cascadelor", "Trotuare noi, borduri coborâte la treceri și eliminarea mașinilor parcate pe trotuar.", "infrastructura", (44.4260, 26.0120), 350000, S.SUBMITTED),
    ("Parcări pentru biciclete la stațiile de metrou", "Rasteluri acoperite la stațiile de metrou din sector, 20 de locuri fiecare.", "infrastructura", None, 150000, S.ELIGIBLE),
    ("Alee pietonală între blocuri în Giulești-Sârbi", "Pavarea aleii folosite zilnic de elevi, cu iluminat și drenaj pentru ploaie.", "infrastructura", (44.4690, 26.0130), 190000, S.RESUBMITTED),
    ("Treceri de pietoni iluminate lângă școli", "Iluminat suplimentar și semnalizare luminoasă la 15 treceri de pietoni de lângă școli.", "siguranta", None, 300000, S.ELIGIBLE),
    ("Iluminat în Parcul Crângași", "Stâlpi noi de iluminat cu LED pe aleile neluminate ale parcului.", "siguranta", (44.4510, 26.0480), 220000, S.UNDER_ASSESSMENT),
    ("Limitatoare de viteză pe strada Fabricii", "Denivelări și marcaje pentru a reduce viteza pe o stradă folosită ca scurtătură.", "siguranta", (44.4440, 26.0560), 60000, S.SUBMITTED),
    ("Camere video la locurile de joacă din Drumul Taberei", "Supraveghere video la locurile de joacă unde au fost vandalizări repetate.", "siguranta", (44.4190, 26.0330), 130000, S.INELIGIBLE),
    ("Cișmele cu apă potabilă în parcurile sectorului", "Zece cișmele în parcurile mari, cu apă de la rețea, funcționale din aprilie până în octombrie.", "servicii", None, 200000, S.ELIGIBLE),
    ("Toaletă publică în Parcul Drumul Taberei", "Toaletă automată, accesibilă, lângă intrarea dinspre Bd. Drumul Taberei.", "servicii", (44.4225, 26.0340), 240000, S.SUBMITTED),
    ("Punct de informare pentru cetățeni în Militari", "Un birou deschis seara, unde locuitorii primesc ajutor cu formulare și sesizări.", "servicii", (44.4375, 26.0320), 160000, S.UNDER_ASSESSMENT),
    ("Stații de încărcare a telefoanelor cu panouri solare", "Bănci solare cu prize USB în cinci piațete ale sectorului.", "servicii", None, 90000, S.SUBMITTED),
    ("Colectare selectivă la blocurile din Grozăvești", "Puncte îngrădite de colectare separată a deșeurilor pentru 30 de blocuri.", "mediu", (44.4440, 26.0600), 270000, S.ELIGIBLE),
    ("Teren de baschet renovat în Politehnica", "Refacerea suprafeței și a coșurilor pe terenul din spatele căminelor.", "educatie", (44.4385, 26.0485), 110000, S.SUBMITTED),
    ("Grădina senzorială pentru copii cu autism", "Spațiu liniștit cu plante aromatice, texturi și sunete, lângă un centru de zi.", "social", (44.4330, 26.0250), 155000, S.UNDER_ASSESSMENT),
    ("Muzeu de cartier al Drumului Taberei", "Expoziție cu fotografii și povești ale locuitorilor despre istoria cartierului.", "cultura", (44.4210, 26.0290), 70000, S.ELIGIBLE),
    ("Adăposturi pentru stațiile de autobuz din Ghencea", "Copertine și bănci la stațiile fără adăpost de pe Bd. Ghencea.", "infrastructura", (44.4125, 26.0390), 180000, S.SUBMITTED),
    ("Hotel pentru insecte și pajiști cu flori sălbatice", "Zone necosite cu flori pentru polenizatori în trei parcuri, cu panouri explicative.", "mediu", None, 35000, S.SUBMITTED),
    ("Program de reparații pentru vecini", "Atelier lunar unde voluntari repară biciclete, electrocasnice și haine.", "altele", (44.4360, 26.0330), 40000, S.ELIGIBLE),
    ("Panouri de afișaj comunitar în fiecare cartier", "Avizier protejat pentru anunțuri ale asociațiilor și ale primăriei.", "altele", None, 55000, S.SUBMITTED),
    ("Sală de fitness în aer liber în Lacul Morii", "Aparate de exerciții în aer liber lângă aleea de pe malul lacului.", "mediu", (44.4505, 26.0210), 125000, S.UNDER_ASSESSMENT),
    ("Ateliere de educație rutieră pentru copii", "Un mini-traseu cu semne și semafoare unde poliția locală ține ateliere pentru școli.", "siguranta", (44.4390, 26.0050), 145000, S.SUBMITTED),
    ("Centru de zi pentru copii în Militari-Preciziei", "Program după școală cu masă caldă și ajutor la teme pentru copiii din familii vulnerabile.", "social", (44.4365, 25.9790), 330000, S.ELIGIBLE),
]  # fmt: skip

DESCRIPTION = (
    "## Problema\n\n{summary}\n\n## Ce propun\n\n"
    "- o soluție simplă, în competența Consiliului Local Sector 6;\n"
    "- întreținere asigurată de serviciile primăriei de sector;\n"
    "- implicarea vecinilor la inaugurare.\n\n"
    "Propunere demonstrativă, creată de `seed_demo`."
)
ASSESSOR_NOTES = {
    S.CHANGES_REQUESTED: "Vă rugăm să precizați locul exact și să detaliați costul pe etape.",
    S.INELIGIBLE: "Propunerea nu este în competența Consiliului Local Sector 6 (teren sau serviciu administrat de PMB).",
}
PATHS = {
    S.SUBMITTED: [],
    S.UNDER_ASSESSMENT: [S.UNDER_ASSESSMENT],
    S.CHANGES_REQUESTED: [S.UNDER_ASSESSMENT, S.CHANGES_REQUESTED],
    S.RESUBMITTED: [S.UNDER_ASSESSMENT, S.CHANGES_REQUESTED, S.RESUBMITTED],
    S.ELIGIBLE: [S.UNDER_ASSESSMENT, S.ELIGIBLE],
    S.INELIGIBLE: [S.UNDER_ASSESSMENT, S.INELIGIBLE],
}


def _authors(facilitator: User) -> list[User]:
    """Eight verified demo authors (a call allows five proposals each)."""
    from allauth.account.models import EmailAddress

    from ciic.eligibility.cnp import cnp_check_digit
    from ciic.eligibility.models import Verification
    from ciic.eligibility.services import profile_update, verification_create_in_person
    from geo.models import Area

    names = ["Ioana Marin", "Mihai Stan", "Ana Georgescu", "Radu Pavel", "Cristina Lungu",
             "Vlad Petrescu", "Irina Toma", "George Enache"]  # fmt: skip
    authors = []
    zones = list(Area.objects.filter(kind=Area.Kind.ZONE).order_by("pk"))
    for i, name in enumerate(names, start=1):
        email = f"autor{i}@{DOMAIN}"
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            user = User.objects.create_user(email=email, password="ciic6-demo-2025")  # noqa: S106
            EmailAddress.objects.update_or_create(
                user=user, email=email, defaults={"verified": True, "primary": True}
            )
        born = dt.date(1970 + 3 * i, (i % 12) + 1, 10 + i)
        if not hasattr(user, "resident_profile"):
            profile_update(
                actor=user, user=user, full_name=name, date_of_birth=born,
                address=f"Str. Exemplu {i}, Sector 6",
            )  # fmt: skip
        if not Verification.objects.filter(user=user).exists():
            first12 = f"{1 if born.year < 2000 else 5}{born:%y%m%d}46{600 + i:03d}"
            verification_create_in_person(
                actor=facilitator,
                user=user,
                cnp=first12 + str(cnp_check_digit(first12)),
                document_type="identity_card",
                sector6_resident=True,
                residence_zone=zones[i % len(zones)] if zones else None,
            )
        authors.append(user)
    return authors


def _submitted(
    author: User,
    call: Call,
    title: str,
    summary: str,
    category: str,
    point: tuple[float, float] | None,
    cost: int,
) -> Proposal:
    """A demo proposal taken from a blank draft to submitted, through the services."""
    draft = proposal_draft_create(
        actor=author,
        call=call,
        title=title,
        summary=summary,
        description=DESCRIPTION.format(summary=summary),
        category=category,
    )
    location: dict[str, Any] = (
        {"whole_sector": True}
        if point is None
        else {"whole_sector": False, "latitude": point[0], "longitude": point[1]}
    )
    proposal_update(
        actor=author,
        proposal=draft,
        data={"cost_estimate": cost, "consent_publication": True, **location},
    )
    return proposal_submit(actor=author, proposal=draft)


def _call() -> Call:
    call = Call.objects.filter(slug=CALL_SLUG).first()
    if call is not None:
        return call
    today = timezone.localdate()
    return call_create(
        actor=None,
        name="Bugetare participativă Sector 6 — 2026",
        slug=CALL_SLUG,
        year=2026,
        total_budget=Decimal("10000000"),
        max_cost_per_proposal=Decimal("500000"),
        max_proposals_per_resident=5,
        # Open since 20 days, for 40 more; assessment, then voting two months on.
        **call_schedule(
            submission_start=today - dt.timedelta(days=20),
            submission_days=61,
            assessment_days=45,
            voting_after=15,
            voting_days=21,
            results_after=5,
            implementation_after=35,
        ),
        categories={c.value: CATEGORY_HELP[c] for c in Category},
    )


# The 2025 call, already decided: (title, summary, category, point, cost, outcome)
PAST_PROPOSALS: list[tuple[str, str, str, tuple[float, float] | None, int, str]] = [
    ("Loc de joacă nou în Parcul Giulești", "Echipamente noi și suprafață sigură pentru copiii de 2-12 ani.", "mediu", (44.4575, 26.0335), 380000, S.COMPLETED),
    ("Iluminat pe aleile din Drumul Taberei", "Stâlpi cu LED pe aleile dintre blocurile de pe strada Brașov.", "siguranta", (44.4228, 26.0255), 290000, S.COMPLETED),
    ("Curtea Școlii nr. 156 refăcută", "Teren de sport, bănci și arbori în curtea școlii.", "educatie", (44.4320, 26.0050), 460000, S.IN_IMPLEMENTATION),
    ("Piste de biciclete spre Parcul Crângași", "Legătură ciclabilă de 1,2 km între stația de metrou și parc.", "infrastructura", (44.4495, 26.0445), 495000, S.IN_IMPLEMENTATION),
    ("Centru de zi pentru vârstnici în Militari", "Sală cu activități și masă caldă pentru vârstnicii singuri.", "social", (44.4355, 25.9950), 410000, S.SELECTED),
    ("Bibliotecă de cartier în Ghencea", "O sală de lectură deschisă seara și în weekend.", "cultura", (44.4150, 26.0400), 240000, S.SELECTED),
    ("Cișmele în parcurile mari", "Șase cișmele cu apă potabilă, funcționale vara.", "servicii", None, 150000, S.COMPLETED),
    ("Patinoar în aer liber în Drumul Taberei", "Patinoar sezonier cu închiriere de patine.", "altele", (44.4205, 26.0320), 480000, S.NOT_SELECTED),
    ("Grădină comunitară în Valea Cascadelor", "Straturi înălțate și compostor pentru vecini.", "mediu", (44.4270, 26.0110), 90000, S.NOT_SELECTED),
    ("Parcare subterană sub Piața Gorjului", "Parcare cu 400 de locuri sub piață.", "infrastructura", (44.4355, 26.0120), 495000, S.INELIGIBLE),
]  # fmt: skip


def _past_call(*, facilitator: User, assessor: User, admin: User, out: Any) -> list[User] | None:
    """A 2025 call that ran its whole course: created through the services at
    the dates it happened (time travel is demo-only), so its timelines, the
    results map and the per-zone figures show what a finished cycle looks like.
    Returns the demo authors, verified before the call opened."""
    try:
        import time_machine
    except ImportError:  # demo data only; time-machine is a dev dependency
        out.write("proposals.demo: time-machine not installed, no 2025 call")
        return None
    if Call.objects.filter(slug=PAST_CALL_SLUG).exists():
        return None
    if User.objects.filter(email__iexact=f"autor1@{DOMAIN}").exists():
        return None  # an older demo database: its authors were verified too late for 2025

    def at(day: dt.date):  # type: ignore[no-untyped-def]
        return time_machine.travel(dt.datetime.combine(day, dt.time(10), LOCAL_TZ), tick=False)

    with at(dt.date(2025, 1, 20)):
        authors = _authors(facilitator)
        call = call_create(
            actor=None,
            name="Bugetare participativă Sector 6 — 2025",
            slug=PAST_CALL_SLUG,
            year=2025,
            total_budget=Decimal("2500000"),
            max_cost_per_proposal=Decimal("500000"),
            max_proposals_per_resident=5,
            # February - March, assessment in April, voting 10-31 May, results 10 June.
            **call_schedule(
                submission_start=dt.date(2025, 2, 1),
                submission_days=59,
                assessment_days=30,
                voting_after=10,
                voting_days=22,
                results_after=10,
                implementation_after=21,
            ),
            categories={c.value: CATEGORY_HELP[c] for c in Category},
        )
    proposals = []
    with at(dt.date(2025, 3, 10)):
        for i, (title, summary, category, point, cost, _outcome) in enumerate(PAST_PROPOSALS):
            author = authors[i % len(authors)]
            proposals.append(_submitted(author, call, title, summary, category, point, cost))
    outcomes = [row[5] for row in PAST_PROPOSALS]
    steps: list[tuple[dt.date, User | None]] = [
        (dt.date(2025, 4, 2), assessor),  # assessment starts
        (dt.date(2025, 4, 25), assessor),  # decided
        # voting.demo goes on from here: the vote, its results, the implementation.
    ]
    for n, (day, actor) in enumerate(steps):
        with at(day):
            for i, proposal in enumerate(proposals):
                path = _past_path(outcomes[i])
                if n < len(path):
                    proposals[i] = proposal_transition(
                        actor=actor, proposal=proposal, to_status=path[n],
                        note=ASSESSOR_NOTES.get(path[n], ""),
                    )  # fmt: skip
    out.write(f"Demo call {PAST_CALL_SLUG}: {len(proposals)} proposals, assessed")
    return authors


def _past_path(outcome: str) -> list[str]:
    """The statuses a 2025 proposal went through, one per step date above."""
    if outcome == S.INELIGIBLE:
        return [S.UNDER_ASSESSMENT, S.INELIGIBLE]
    decided = [S.UNDER_ASSESSMENT, S.ELIGIBLE, S.ON_BALLOT]
    if outcome == S.NOT_SELECTED:
        return [*decided, S.NOT_SELECTED]
    funded = [*decided, S.SELECTED]
    if outcome == S.SELECTED:
        return funded
    if outcome == S.IN_IMPLEMENTATION:
        return [*funded, S.IN_IMPLEMENTATION]
    return [*funded, S.IN_IMPLEMENTATION, S.COMPLETED]


def seed(out: Any) -> None:
    from geo.defaults import load_default_areas

    load_default_areas()
    admin = User.objects.filter(groups__name=Role.ADMINISTRATOR).first()
    assessor = User.objects.filter(groups__name=Role.ASSESSOR).first() or admin
    facilitator = User.objects.filter(groups__name=Role.FACILITATOR).first() or admin
    if admin is None or assessor is None or facilitator is None:
        out.write("proposals.demo: no staff accounts (run ciic.accounts.demo first); skipped")
        return
    _past_call(facilitator=facilitator, assessor=assessor, admin=admin, out=out)
    call = _call()
    for each in Call.objects.filter(slug__in=[PAST_CALL_SLUG, CALL_SLUG]):
        _english(each)
    if Proposal.objects.filter(call=call).exists():
        out.write(f"Demo call {call.slug}: already has proposals")
        return
    authors = _authors(facilitator)
    for i, (title, summary, category, point, cost, target) in enumerate(PROPOSALS):
        author = authors[i % len(authors)]
        proposal = _submitted(author, call, title, summary, category, point, cost)
        for step in PATHS[target]:
            if step == S.RESUBMITTED:
                proposal_update(
                    actor=author,
                    proposal=proposal,
                    data={"cost_estimate": int(cost * 0.9)},
                )
                proposal = proposal_transition(actor=author, proposal=proposal, to_status=step)
            else:
                proposal = proposal_transition(
                    actor=assessor,
                    proposal=proposal,
                    to_status=step,
                    note=ASSESSOR_NOTES.get(step, ""),
                )
    # A draft for the main demo resident, to show "My proposals".
    resident = User.objects.filter(email__iexact=f"resident@{DOMAIN}").first()
    if resident is not None:
        proposal_draft_create(
            actor=resident,
            call=call,
            title="Bănci noi pe aleea din fața blocului",
            summary="Înlocuirea băncilor rupte de pe aleea dintre blocurile de pe strada Brașov.",
            category=Category.MEDIU,
        )
    out.write(f"Demo call {call.slug}: {len(PROPOSALS)} proposals")
