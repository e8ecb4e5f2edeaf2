"""Hotlines and services: kept by administrators, shown to reporters in their language, loading nothing."""

from __future__ import annotations

import re

import pytest

from audit.models import Event
from resources.models import Resource
from tests.conftest import CsrfClient, fill_and_preview, hidden

pytestmark = pytest.mark.django_db

HOTLINE = {
    "name": "National Human Trafficking Hotline",
    "name_es": "Línea Nacional contra la Trata de Personas",
    "helps_with_en": "Help and safety planning if someone is controlling your work",
    "helps_with_es": "Ayuda y un plan de seguridad si alguien controla su trabajo",
    "phone": "1-888-373-7888",
    "url": "https://humantraffickinghotline.org/",
    "hours_en": "Every day, all day",
    "hours_es": "Todos los días, a toda hora",
    "languages_en": "English, Spanish and 200 more",
    "languages_es": "Inglés, español y 200 más",
    "position": "1",
}


def _add(logged_in, **changes):
    response = logged_in("admin").submit("/staff/resources/new/", dict(HOTLINE, **changes))
    return response


def _links(html: str) -> list[str]:
    return re.findall(r"<a\b[^>]*>", html)


def test_an_administrator_adds_a_resource_and_reporters_see_it_in_their_language(staff, logged_in):
    assert _add(logged_in).status_code == 302
    resource = Resource.objects.get()
    assert Event.objects.filter(actor="admin", action="resource.created", object_id=str(resource.pk)).exists()
    english = CsrfClient().get("/").content.decode()
    assert HOTLINE["name"] in english and HOTLINE["helps_with_en"] in english and "Other help, any time" in english
    assert 'href="tel:18883737888"' in english and "Call 1-888-373-7888" in english
    spanish = CsrfClient().get("/es/").content.decode()
    assert HOTLINE["name_es"] in spanish and HOTLINE["helps_with_es"] in spanish and HOTLINE["hours_es"] in spanish
    assert HOTLINE["helps_with_en"] not in spanish


def test_the_receipt_page_shows_them_and_keeps_its_written_it_down_step(staff, logged_in, org_keys):
    assert _add(logged_in).status_code == 302
    client = CsrfClient()
    preview = fill_and_preview(client)
    page = client.submit("/report/send/", {"draft": hidden(preview, "draft")}).content.decode()
    assert "Your report was sent" in page and HOTLINE["name"] in page
    # The receipt comes first, and the "I have written it down" form still leads on.
    assert page.index('class="receipt"') < page.index("I have written it down") < page.index(HOTLINE["name"])
    assert re.search(r'<form method="post" action="/report/done/"', page)
    assert 'name="written" id="written" required' in page


def test_every_link_is_plain_and_leaks_no_referrer(staff, logged_in):
    assert _add(logged_in).status_code == 302
    html = CsrfClient().get("/").content.decode()
    resource_html = html[html.index('class="resources') :]
    links = _links(resource_html[: resource_html.index("</section>")])
    assert len(links) == 2
    for link in links:
        assert 'rel="noreferrer noopener"' in link
        assert re.search(r'href="(tel:\+?\d+|https://[^"]+)"', link), link
    # Nothing on the page loads from elsewhere: no image, frame, embed, script or stylesheet off the site.
    for tag in re.findall(r"<(?:img|iframe|embed|object|script|link|source)\b[^>]*>", html):
        assert not re.search(r'(?:src|href)="(?:https?:)?//', tag), tag


def test_a_vanity_number_dials_its_digits():
    assert Resource(phone="1-800-656-HOPE").tel == "tel:18006564673"
    assert Resource(phone="+1 (415) 555-0100").tel == "tel:+14155550100"
    assert Resource(phone="").tel == ""


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"helps_with_es": ""}, "helps_with_es"),
        ({"hours_es": ""}, "hours_es"),
        ({"languages_en": ""}, "languages_en"),
        ({"url": "http://example.org/"}, "url"),
        ({"url": "javascript:alert(1)"}, "url"),
        ({"phone": "call me maybe!"}, "phone"),
        ({"phone": "", "url": ""}, "phone"),
    ],
)
def test_a_resource_needs_both_languages_a_safe_link_and_a_way_to_reach_them(staff, logged_in, changes, field):
    response = _add(logged_in, **changes)
    assert response.status_code == 400
    assert f'id="error_1_id_{field}"' in response.content.decode() or f"id_{field}" in response.content.decode()
    assert not Resource.objects.exists()
    assert HOTLINE["helps_with_en"] in response.content.decode()  # nothing typed is lost


def test_an_administrator_changes_and_removes_one(staff, logged_in):
    assert _add(logged_in).status_code == 302
    resource = Resource.objects.get()
    changed = logged_in("admin").submit(f"/staff/resources/{resource.pk}/", dict(HOTLINE, phone="988"))
    assert changed.status_code == 302 and Resource.objects.get().tel == "tel:988"
    assert logged_in("admin").get(f"/staff/resources/{resource.pk}/delete/").status_code == 405
    assert logged_in("admin").submit(f"/staff/resources/{resource.pk}/delete/").status_code == 302
    assert not Resource.objects.exists() and "Other help, any time" not in CsrfClient().get("/").content.decode()
    actions = list(Event.objects.filter(object_id=str(resource.pk)).values_list("action", flat=True))
    assert actions == ["resource.created", "resource.changed", "resource.deleted"]


@pytest.mark.parametrize("role", ["advocate", "recipient", "auditor", "outsider"])
def test_only_administrators_keep_the_list(staff, logged_in, role):
    assert _add(logged_in).status_code == 302
    pk = Resource.objects.get().pk
    client = logged_in(role)
    for url in ("/staff/resources/", "/staff/resources/new/", f"/staff/resources/{pk}/"):
        assert client.get(url).status_code == 403, url
    assert client.submit(f"/staff/resources/{pk}/delete/").status_code == 403
    assert client.submit("/staff/resources/new/", HOTLINE).status_code == 403
    assert Resource.objects.count() == 1


def test_a_resource_that_does_not_exist_is_404(staff, logged_in):
    assert logged_in("admin").get("/staff/resources/999999/").status_code == 404
    assert logged_in("admin").submit("/staff/resources/999999/delete/").status_code == 404
