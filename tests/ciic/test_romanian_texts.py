"""Romanian that reads right: the strings of django-allauth and Django's password
validators come from our own catalogue (locale_vendor/), and the pages the site
serves carry neither the tell-tale words of Romanian typed without diacritics or
in the familiar "tu", nor English, when the language is Romanian."""

import gettext
import html as html_lib
import re
from pathlib import Path

import allauth
import pytest
from django.urls import reverse
from django.utils import translation

from tests.ciic.test_i18n import _po_entries

REPO = Path(__file__).resolve().parents[2]
VENDOR = REPO / "locale_vendor" / "ro" / "LC_MESSAGES"
ALLAUTH_RO = Path(allauth.__file__).parent / "locale" / "ro" / "LC_MESSAGES" / "django.po"

# What the site uses of allauth: accounts, TOTP and recovery codes, sessions.
USED = (
    "account/",
    "mfa/",
    "usersessions/",
    "core/",
    "templates/account/",
    "templates/mfa/",
    "templates/usersessions/",
    "templates/allauth/",
)
# ... but not security keys (MFA_SUPPORTED_TYPES), nor allauth's emails (ours
# replace them: templates/account/email/).
UNUSED = ("webauthn", "templates/account/email/", "templates/mfa/email/")

# Words that betray Romanian typed without diacritics, the familiar "tu", or a
# typo of the libraries' own catalogues. Case-sensitive.
TELL_TALE = [
    "Inregistreaza",
    "Înregistrează-te",
    "Parola ",
    "Tine-ma",
    "Ține-mă",
    "Esti sigur",
    "Ești sigur",
    "Conecteaza",
    "Deconecteaza",
    "Te rugam",
    "Te rugăm",
    "te rugăm",
    "Ai uitat",
    "Ai deja",
    "Acestă",
    "Salutări de la",
    "Folosește ",
    "Introdu ",
    "contul tău",
    "contul tau",
    "adresa ta",
    "Ți-am trimis",
    "Adauga",
    "Schimba parola",
    "Reseteaza",
    "Verifica-ti",
    "e-mail (confirma)",
]
# English that must not show on a Romanian page (whole words, case-sensitive).
ENGLISH = re.compile(
    r"\b(Sign [Ii]n|Sign [Uu]p|Sign [Oo]ut|Log [Ii]n|Log [Oo]ut|Password|Remember|Forgot|"
    r"Please|Your|You|the|and|with|Submit|Save|Cancel|Delete|Search|Proposals?|Draft|"
    r"Staff|Settings|Home|Next|Previous|Menu|Download|Required|Confirm|Email address|"
    r"Authenticator|Recovery|Sessions?|Activate|Deactivate|Verified|Primary|Browse|"
    r"Skip to content)\b"
)
# Formal address: no familiar verb forms or possessives in our Romanian.
FAMILIAR = re.compile(
    r"\b(ești|poți|vei|tău|ta|tale|tine|te|ți|introdu|folosește|contactează-ne|Ești|Ai|"
    r"Poți|Vei|Introdu|Folosește|Alege|Verifică|Confirmă|Încearcă)\b"
)


def _entries_used_by_the_site() -> list[tuple[str, str]]:
    keys = []
    for block in ALLAUTH_RO.read_text(encoding="utf-8").split("\n\n")[1:]:
        locations = [
            word
            for line in block.splitlines()
            if line.startswith("#:")
            for word in line[2:].split()
        ]
        used = [
            loc for loc in locations if loc.startswith(USED) and not any(u in loc for u in UNUSED)
        ]
        if not used:
            continue
        (entry,) = _po_entries("header\n\n" + block)
        keys.append((entry.get("msgctxt", ""), entry["msgid"]))
    return keys


def _vendor() -> list[dict[str, str]]:
    return _po_entries((VENDOR / "django.po").read_text(encoding="utf-8"))


def test_every_allauth_string_the_site_shows_has_our_romanian():
    ours = {(e.get("msgctxt", ""), e["msgid"]) for e in _vendor()}
    used = _entries_used_by_the_site()
    assert len(used) > 200
    missing = [key for key in used if key not in ours]
    assert missing == [], "add these to locale_vendor/ro/LC_MESSAGES/django.po"


def test_vendor_catalogue_is_translated_formal_and_compiled():
    entries = _vendor()
    with (VENDOR / "django.mo").open("rb") as fh:
        compiled = gettext.GNUTranslations(fh)
    for entry in entries:
        texts = [v for k, v in entry.items() if k.startswith("msgstr")]
        assert texts and all(texts), entry["msgid"]
        for text in texts:
            assert not FAMILIAR.search(text), text
            assert not any(word in text for word in TELL_TALE), text
        if "msgid_plural" not in entry and "msgctxt" not in entry:
            assert compiled.gettext(entry["msgid"]) == entry["msgstr"], "run make messages"


def test_the_catalogue_wins_over_the_libraries():
    with translation.override("ro"):
        assert translation.gettext("Remember Me") == "Păstrați-mă autentificat pe acest dispozitiv"
        assert translation.gettext("Sign Up") == "Creați cont"
        assert translation.gettext("This password is entirely numeric.") == (
            "Această parolă este formată numai din cifre."
        )
        assert translation.pgettext("field label", "Login") == "Autentificare"


def visible_text(page: str) -> str:
    page = re.sub(r"(?s)<(script|style|template)\b.*?</\1>", " ", page)
    page = re.sub(r"(?s)<!--.*?-->", " ", page)
    return re.sub(r"\s+", " ", html_lib.unescape(re.sub(r"<[^>]+>", " ", page)))


def assert_reads_in_romanian(client, url: str) -> str:  # type: ignore[no-untyped-def]
    response = client.get(url, follow=True)
    assert response.status_code == 200, url
    text = visible_text(response.content.decode())
    assert [w for w in TELL_TALE if w in text] == [], (url, text)
    assert sorted({m.group(0) for m in ENGLISH.finditer(text)}) == [], (url, text)
    return text


ANONYMOUS_PAGES = [
    "account_login",
    "account_signup",
    "account_reset_password",
    "account_reset_password_done",
    "account_email_verification_sent",
]
MAIN_PAGES = ["/", "/proposals/", "/map/"]
RESIDENT_PAGES = [
    "account_email",
    "account_change_password",
    "account_logout",
    "account_reauthenticate",
    "mfa_index",
    "usersessions_list",
]
STAFF_PAGES = [
    "mfa_index",
    "mfa_reauthenticate",
    "mfa_view_recovery_codes",
    "mfa_generate_recovery_codes",
    "mfa_deactivate_totp",
    "accounts:staff_home",
]


@pytest.mark.django_db
def test_account_pages_read_in_romanian(client, home_page, settings):
    from tests.accounts.conftest import make_account
    from tests.auth import login

    settings.LANGUAGE_CODE = "ro"
    for name in ANONYMOUS_PAGES:
        assert_reads_in_romanian(client, reverse(name))
    for path in MAIN_PAGES:
        assert_reads_in_romanian(client, path)
    login(client, make_account(language="ro"))
    for name in RESIDENT_PAGES:
        assert_reads_in_romanian(client, reverse(name))
    for path in [*MAIN_PAGES, "/me/", "/proposals/mine/"]:
        assert_reads_in_romanian(client, path)


@pytest.mark.django_db
def test_staff_security_pages_read_in_romanian(client, home_page, settings):
    from allauth.mfa.models import Authenticator
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes

    from ciic.accounts.models import Role
    from tests.accounts.conftest import make_account
    from tests.auth import login

    settings.LANGUAGE_CODE = "ro"
    user = make_account(role=Role.ADMINISTRATOR, totp=True, language="ro")
    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.RECOVERY_CODES):
        RecoveryCodes.activate(user)
    login(client, user)
    for name in STAFF_PAGES:
        assert_reads_in_romanian(client, reverse(name))


def test_a_page_with_english_or_bare_romanian_fails_the_check():
    """The check itself catches what it is for."""
    for bad in ("<p>Inregistreaza-te</p>", "<button>Sign In</button>", "<p>Esti sigur?</p>"):
        text = visible_text(bad)
        assert any(w in text for w in TELL_TALE) or ENGLISH.search(text)
    good = visible_text("<p>Sigur doriți să vă deconectați?</p><script>var Password;</script>")
    assert not any(w in good for w in TELL_TALE) and not ENGLISH.search(good)


def test_local_infrastructure_reads_as_an_adjective_agreeing_with_its_noun():
    """The council's wording "Infrastructură (local)" stays in DOMAIN.md and in
    the stored value; the interface writes it as Romanian reads it."""
    from proposals.models import Category

    with translation.override("ro"):
        assert str(Category.INFRASTRUCTURA.label) == "Infrastructură (locală)"
    assert Category.INFRASTRUCTURA.value == "infrastructura"


def test_no_template_or_catalogue_carries_a_tell_tale_word():
    """Beyond the pages rendered above: every template of ours, our Romanian
    catalogues and the demo content."""
    sources = [
        *(REPO / "templates").rglob("*.html"),
        *(REPO / "templates").rglob("*.txt"),
        REPO / "locale" / "ro" / "LC_MESSAGES" / "django.po",
        VENDOR / "django.po",
        REPO / "cms" / "demo.py",
        REPO / "proposals" / "demo.py",
    ]
    found = {
        str(path.relative_to(REPO)): words
        for path in sources
        if (words := [w for w in TELL_TALE if w in path.read_text(encoding="utf-8")])
    }
    assert found == {}
