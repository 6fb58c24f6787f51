"""Demo pages for the CMS: the page of the current demo call under the home
page. Domain apps never import the CMS; their demo data come first (see
`seed_demo`), then the pages that show them."""

from __future__ import annotations

from typing import Any

from cms.models import CallForProposalsPage, HomePage
from proposals.demo import CALL_SLUG
from proposals.models import Call


def seed(out: Any) -> None:
    _workshop_pages()
    call = Call.objects.filter(slug=CALL_SLUG).first()
    if call is None:
        out.write("cms.demo: no demo call (run proposals.demo first); skipped")
        return
    if CallForProposalsPage.objects.filter(call=call).exists():
        return
    home = HomePage.objects.first()
    if home is None:
        return
    page = CallForProposalsPage(
        title=call.name,
        slug="bugetare-participativa-2026",
        call=call,
        intro="Ai o idee pentru cartierul tău? Propune un proiect de până la 500.000 de lei "
        "și votează propunerile vecinilor.",
        body=[
            ("heading", "Cum funcționează"),
            (
                "paragraph",
                "<p>Orice locuitor al Sectorului 6 cu vârsta de cel puțin 18 ani poate depune "
                "până la cinci propuneri. Specialiștii primăriei verifică dacă fiecare propunere "
                "este în competența Consiliului Local, apoi locuitorii votează.</p>",
            ),
        ],
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
