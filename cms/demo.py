"""Demo pages for the CMS: the page of the current demo call under the home
page. Domain apps never import the CMS; their demo data come first (see
`seed_demo`), then the pages that show them."""

from __future__ import annotations

from typing import Any

from cms.models import CallForProposalsPage, HomePage
from proposals.demo import CALL_SLUG
from proposals.models import Call


def seed(out: Any) -> None:
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
