"""Demo pages for the CMS: the page of the current demo call under the home
page. Domain apps never import the CMS; their demo data come first (see
`seed_demo`), then the pages that show them."""

from __future__ import annotations

from typing import Any

from cms.models import CallForProposalsPage, HomePage
from proposals.demo import CALL_SLUG
from proposals.models import Call

HOME_INTRO = (
    "Centrul de Inovare și Inițiativă Cetățenească al Sectorului 6 transformă ideile "
    "locuitorilor în proiecte. Propuneți, urmăriți și votați proiecte pentru cartierul "
    "dumneavoastră."
)
# The wording of the first installs (the familiar "tu"), replaced by the seed.
HOME_INTRO_FAMILIAR = (
    "Centrul de Inovare și Inițiativă Cetățenească al Sectorului 6 transformă ideile "
    "locuitorilor în proiecte. Propune, urmărește și votează proiecte pentru cartierul tău."
)
HOME_ENGLISH = {
    "title_en": "Participatory budgeting in Sector 6",
    "intro_en": "The Centre for Innovation and Civic Initiative of Sector 6 turns residents' ideas "
    "into projects. Propose, follow and vote for projects for your neighbourhood.",
}
CALL_PAGE_INTRO = (
    "Aveți o idee pentru cartierul dumneavoastră? Propuneți un proiect de până la "
    "500.000 de lei și votați propunerile vecinilor."
)
CALL_PAGE_INTRO_FAMILIAR = (
    "Ai o idee pentru cartierul tău? Propune un proiect de până la 500.000 de lei "
    "și votează propunerile vecinilor."
)
CALL_PAGE_BODY = [
    ("heading", "Cum funcționează"),
    (
        "paragraph",
        "<p>Orice locuitor al Sectorului 6 cu vârsta de cel puțin 18 ani poate depune "
        "până la cinci propuneri. Specialiștii primăriei verifică dacă fiecare propunere "
        "este în competența Consiliului Local, apoi locuitorii votează.</p>",
    ),
]
CALL_PAGE_ENGLISH = {
    "intro_en": "Have an idea for your neighbourhood? Propose a project costing up to "
    "500,000 lei and vote for your neighbours' proposals.",
    "body_en": [
        ("heading", "How it works"),
        (
            "paragraph",
            "<p>Any resident of Sector 6 aged 18 or over may submit up to five proposals. "
            "The city hall's specialists check that each proposal is within the competence "
            "of the Local Council, then the residents vote.</p>",
        ),
    ],
}


def _english_versions(page: Any, texts: dict[str, Any], *, intro: str, familiar: str) -> None:
    """Fill in a page's English version where it is empty, and replace the first
    installs' familiar Romanian introduction (idempotent; publishes a revision)."""
    changed = False
    for field, value in texts.items():
        if not getattr(page, field):
            setattr(page, field, value)
            changed = True
    if page.intro == familiar:
        page.intro = intro
        changed = True
    if changed:
        page.save_revision().publish()


def seed(out: Any) -> None:
    _workshop_pages()
    home = HomePage.objects.first()
    if home is not None:
        _english_versions(home, HOME_ENGLISH, intro=HOME_INTRO, familiar=HOME_INTRO_FAMILIAR)
    call = Call.objects.filter(slug=CALL_SLUG).first()
    if call is None:
        out.write("cms.demo: no demo call (run proposals.demo first); skipped")
        return
    existing = CallForProposalsPage.objects.filter(call=call).first()
    if existing is not None:
        english = {"title_en": call.name_en, **CALL_PAGE_ENGLISH}
        _english_versions(
            existing, english, intro=CALL_PAGE_INTRO, familiar=CALL_PAGE_INTRO_FAMILIAR
        )
        return
    if home is None:
        return
    page = CallForProposalsPage(
        title=call.name,
        slug="bugetare-participativa-2026",
        call=call,
        intro=CALL_PAGE_INTRO,
        body=CALL_PAGE_BODY,
        title_en=call.name_en,
        **CALL_PAGE_ENGLISH,
    )
    home.add_child(instance=page)
    page.save_revision().publish()


def _workshop_pages() -> None:
    """The workshops index page (text shown on /workshops/) and the page of the
    first held demo workshop, with its editorial text."""
    from cms.models import WorkshopIndexPage, WorkshopPage
    from workshops.models import Workshop

    home = HomePage.objects.first()
    if home is None or WorkshopIndexPage.objects.exists():
        return
    index = WorkshopIndexPage(
        title="Ateliere în cartiere",
        slug="ateliere",
        intro="CIIC organizează 44 de întâlniri de lucru cu locuitorii, în fiecare parte a "
        "sectorului: aflați ce poate face consiliul local și aduceți ideile dumneavoastră.",
        body=[
            ("heading", "Cum se desfășoară un atelier"),
            (
                "paragraph",
                "<p>Fiecare atelier durează două ore. Echipa CIIC explică ce intră în "
                "competența Consiliului Local Sector 6, apoi lucrăm împreună pe ideile "
                "participanților. Ideile pot deveni propuneri de proiecte.</p>",
            ),
        ],
    )
    home.add_child(instance=index)
    index.save_revision().publish()
    first = Workshop.objects.filter(status=Workshop.Status.HELD).order_by("starts_at").first()
    if first is not None:
        page = WorkshopPage(
            title=first.theme[:255],
            slug=f"atelier-{first.pk}",
            workshop=first,
            intro="Primul atelier al programului.",
            body=[("paragraph", "<p>Mulțumim tuturor celor care au venit!</p>")],
        )
        index.add_child(instance=page)
        page.save_revision().publish()
