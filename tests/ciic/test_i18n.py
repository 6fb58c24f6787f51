import pytest

pytestmark = pytest.mark.django_db


def test_romanian_by_default_even_for_an_english_browser(client, home_page, settings):
    settings.LANGUAGE_CODE = "ro"
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response.status_code == 200
    assert '<html lang="ro">' in response.content.decode()


def test_the_language_switch_chooses_english(client, home_page, settings):
    settings.LANGUAGE_CODE = "ro"
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    response = client.get("/")
    assert '<html lang="en">' in response.content.decode()


def test_romanian_catalogue_is_compiled_and_shipped(client, home_page, settings):
    settings.LANGUAGE_CODE = "ro"
    html = client.get("/").content.decode()
    assert "Explorează propunerile" in html  # "Browse proposals"
    assert "Creați cont" in html  # "Sign up"


def _po_entries(text: str) -> list[dict[str, str]]:
    """Each entry of a .po file as {keyword: text}, comments dropped, header skipped."""
    import ast

    entries = []
    for block in text.split("\n\n")[1:]:
        entry: dict[str, str] = {}
        key = None
        for line in block.splitlines():
            if line.startswith("#, ") and "fuzzy" in line:
                entry["fuzzy"] = "1"
            elif line.startswith("#") or not line.strip():
                continue
            elif line.startswith('"') and key:
                entry[key] += ast.literal_eval(line)
            else:
                key, _, value = line.partition(" ")
                entry[key] = ast.literal_eval(value)
        if "msgid" in entry:
            entries.append(entry)
    return entries


def test_every_message_is_translated_and_compiled():
    """No msgid is left untranslated, and the shipped .mo matches the .po."""
    import gettext
    from pathlib import Path

    locale_dir = Path(__file__).resolve().parents[2] / "locale" / "ro" / "LC_MESSAGES"
    entries = _po_entries((locale_dir / "django.po").read_text(encoding="utf-8"))
    with (locale_dir / "django.mo").open("rb") as fh:
        compiled = gettext.GNUTranslations(fh)
    assert len(entries) > 500
    untranslated = [
        e["msgid"]
        for e in entries
        if "fuzzy" in e or not all(v for k, v in e.items() if k.startswith("msgstr"))
    ]
    assert untranslated == []
    stale = [
        e["msgid"]
        for e in entries
        if "msgid_plural" not in e
        and "msgctxt" not in e
        and compiled.gettext(e["msgid"]) != e["msgstr"]
    ]
    assert stale == [], "run `make messages` (compilemessages) and commit django.mo"
