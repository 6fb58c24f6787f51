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
