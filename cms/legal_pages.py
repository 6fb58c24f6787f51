"""The privacy notice and the terms of use: information pages under the home
page, created once (by `seed_demo`, or `legal_pages_ensure()` in a fresh
installation) and then edited by staff in Wagtail. The footer finds them by
their slugs."""

from __future__ import annotations

from typing import Any

from django.conf import settings

PRIVACY_SLUG = "confidentialitate"
TERMS_SLUG = "termeni"


def _privacy_body() -> list[tuple[str, str]]:
    days = int(getattr(settings, "VERIFICATION_VALIDITY_DAYS", 730))
    outbox_days = int(getattr(settings, "OUTBOX_RETENTION_DAYS", 30))
    return [
        ("heading", "Cine prelucrează datele"),
        (
            "paragraph",
            "<p>Primăria Sectorului 6, prin Centrul de Inovare și Inițiativă Cetățenească "
            "(CIIC), prelucrează datele dumneavoastră pentru bugetarea participativă: "
            "depunerea propunerilor, verificarea eligibilității și votul.</p>",
        ),
        ("heading", "Ce date păstrăm"),
        (
            "paragraph",
            "<ul>"
            "<li><b>Contul</b>: adresa de email, parola (doar ca amprentă criptografică), "
            "limba preferată.</li>"
            "<li><b>Profilul</b>: numele complet, data nașterii, adresa de domiciliu sau "
            "reședință, telefonul (opțional) și zona de planificare în care locuiți.</li>"
            "<li><b>Verificarea</b>: metoda (la ghișeu sau în registrul locuitorilor), "
            "documentul verificat, data nașterii, perioada de valabilitate. "
            "<b>CNP-ul nu este stocat niciodată</b>: păstrăm doar o amprentă cu cheie secretă "
            "(HMAC), care nu poate fi transformată înapoi în CNP și servește doar ca o persoană "
            "să nu fie verificată pe două conturi și să nu voteze de două ori.</li>"
            "<li><b>Propunerile</b> depuse, cu imaginile, documentele și locul lor; "
            "ciornele sunt vizibile doar pentru dumneavoastră.</li>"
            "<li><b>Mesajele</b> pe care vi le trimitem prin email și <b>jurnalul de audit</b> "
            "(cine a schimbat ce și când).</li>"
            "</ul>",
        ),
        ("heading", "De ce"),
        (
            "paragraph",
            "<p>Pentru a verifica faptul că doar locuitorii Sectorului 6 cu vârsta de cel puțin "
            "18 ani propun și votează, o singură dată fiecare, pentru a vă ține la curent cu "
            "propunerile dumneavoastră și pentru a putea da socoteală public despre fiecare "
            "decizie (temeiul: îndeplinirea unei sarcini de interes public, art. 6 alin. (1) "
            "lit. e) din Regulamentul (UE) 2016/679).</p>",
        ),
        ("heading", "Cât timp"),
        (
            "paragraph",
            "<ul>"
            "<li>Contul, profilul, verificările și mesajele: până când vă ștergeți contul. "
            f"O verificare este valabilă {days} de zile; după aceea trebuie reînnoită.</li>"
            f"<li>Textul emailurilor trimise se șterge după {outbox_days} de zile "
            "(rămâne doar înregistrarea trimiterii).</li>"
            "<li>Propunerile depuse sunt documente publice ale bugetării participative: "
            "după ștergerea contului rămân publicate sub numele „un locuitor al Sectorului 6”, "
            "fără nicio legătură cu persoana dumneavoastră.</li>"
            "<li>Un vot exprimat rămâne numărat și anonim. Dacă ați votat într-un apel ale cărui "
            "rezultate nu sunt încă publicate, amprenta CNP-ului se mai păstrează, separat de "
            "orice alt dat, până la publicarea rezultatelor acelui apel, ca aceeași persoană să "
            "nu poată vota a doua oară cu un cont nou; apoi se șterge automat.</li>"
            "<li>Jurnalul de audit păstrează faptul că un cont a fost șters, fără date "
            "personale.</li>"
            "</ul>",
        ),
        ("heading", "Drepturile dumneavoastră"),
        (
            "paragraph",
            '<p>Pe pagina <a href="/me/data/">Datele mele</a> vedeți tot ce păstrăm despre '
            "dumneavoastră și le puteți descărca (JSON). Tot de acolo vă puteți șterge contul. "
            "Puteți cere oricând, și la ghișeul CIIC sau prin email, accesul la date, "
            "rectificarea sau ștergerea lor; aveți dreptul să vă adresați Autorității Naționale "
            "de Supraveghere a Prelucrării Datelor cu Caracter Personal (ANSPDCP).</p>",
        ),
    ]


TERMS_BODY: list[tuple[str, str]] = [
    ("heading", "Cine poate participa"),
    (
        "paragraph",
        "<p>Pot propune și vota locuitorii cu domiciliul sau reședința în Sectorul 6, cu vârsta "
        "de cel puțin 18 ani, verificați o singură dată: online, cu CNP-ul, în registrul "
        "locuitorilor, sau la ghișeul CIIC, cu actul de identitate.</p>",
    ),
    ("heading", "Propunerile"),
    (
        "paragraph",
        "<p>O propunere trebuie să fie în competența Consiliului Local al Sectorului 6 și să "
        "respecte bugetul maxim al apelului. Prin depunere, sunteți de acord ca textul, "
        "imaginile și locul propunerii să fie publicate. Nu publicați date personale ale "
        "altor persoane și nici imagini pentru care nu aveți drepturi. Conținutul ofensator "
        "sau ilegal este retras.</p>",
    ),
    ("heading", "Contul"),
    (
        "paragraph",
        "<p>Un cont aparține unei singure persoane. Păstrați parola secretă. Vă puteți șterge "
        'oricând contul din pagina <a href="/me/data/">Datele mele</a>.</p>',
    ),
]


def legal_pages_ensure() -> list[Any]:
    """Create the privacy notice and the terms page under the home page when
    they are missing (idempotent; an edited page is left as it is)."""
    from cms.models import HomePage, InformationPage

    home = HomePage.objects.first()
    if home is None:
        return []
    created = []
    pages = [
        (
            PRIVACY_SLUG,
            "Protecția datelor personale",
            "Ce date păstrăm despre dumneavoastră, de ce, cât timp și cum cereți ștergerea lor.",
            _privacy_body(),
        ),
        (
            TERMS_SLUG,
            "Termeni și condiții",
            "Regulile de folosire a platformei de participare a Sectorului 6.",
            TERMS_BODY,
        ),
    ]
    for slug, title, intro, body in pages:
        if InformationPage.objects.child_of(home).filter(slug=slug).exists():
            continue
        page = InformationPage(title=title, slug=slug, intro=intro, body=body)
        home.add_child(instance=page)
        page.save_revision().publish()
        created.append(page)
    return created


def seed(out: Any) -> None:
    created = legal_pages_ensure()
    if created:
        out.write(f"Information pages: {', '.join(p.title for p in created)}")
