"""Staff pages follow the browser's language (since 2026-12); the reporter's follow the address."""

from __future__ import annotations

from tests.conftest import CsrfClient
from tests.intake.conftest import page_text


def test_a_spanish_browser_gets_the_dashboard_in_spanish(db):
    response = CsrfClient().get("/staff/login/", HTTP_ACCEPT_LANGUAGE="es-MX,es;q=0.9,en;q=0.5")
    assert response.status_code == 200
    assert '<html lang="es">' in response.content.decode()
    text = page_text(response)
    assert "Acceso del personal" in text and "Nombre de usuario" in text and "Contraseña" in text
    assert response["Content-Language"] == "es"
    assert "Accept-Language" in response["Vary"]
    assert not response.cookies.get("django_language")


def test_english_otherwise(db):
    for header in ({}, {"HTTP_ACCEPT_LANGUAGE": "fr"}, {"HTTP_ACCEPT_LANGUAGE": "en-GB"}):
        response = CsrfClient().get("/staff/login/", **header)
        assert '<html lang="en">' in response.content.decode()
        assert "Staff login" in page_text(response) and "Username" in page_text(response)


def test_a_browser_asking_for_another_language_gets_the_dashboard_in_english_or_spanish(db):
    """Staff pages are English and Spanish only: Thai first, then Spanish, is Spanish; Thai alone, English."""
    for header, lang in (("th,es;q=0.8,en;q=0.5", "es"), ("th", "en"), ("zh-TW,zh;q=0.9", "en"), ("ko,en;q=0.1", "en")):
        response = CsrfClient().get("/staff/login/", HTTP_ACCEPT_LANGUAGE=header)
        assert f'<html lang="{lang}">' in response.content.decode(), header
        assert response["Content-Language"] == lang


def test_the_reporter_pages_still_take_their_language_from_the_address(db):
    # Past the first visit to `/` (config.languages), the address alone decides.
    english = CsrfClient().get("/report/", HTTP_ACCEPT_LANGUAGE="es")
    assert '<html lang="en">' in english.content.decode()
    assert '<html lang="es">' in CsrfClient().get("/es/").content.decode()
    assert '<html lang="th">' in CsrfClient().get("/th/report/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
