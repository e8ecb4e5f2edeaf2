"""The printed safety-alert bulletin in every reporter language, every script drawn (since 2026-12)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from pypdf import PdfReader

from intake.models import Report
from referrals import pdf
from tests.conftest import FULL_REPORT, CsrfClient, submit_report
from tests.referrals.support import publish_alert, write_alert

pytestmark = pytest.mark.django_db

# What a reporter may write in her own words: the bulletin must draw every script of it.
WORDS = {
    "zh-hant": "紅色汽車，車牌有個七",
    "zh-hans": "红色汽车，车牌有个七",
    "ko": "빨간 차, 번호판에 7",
    "th": "รถกระบะสีแดง",
    "vi": "xe máy màu đỏ",
    "tl": "pulang kotse",
}


def _text(data: bytes) -> str:
    # pypdf marks each switch to the fallback font with a NUL; the words are what matter.
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages).replace("\x00", "")


def _fonts(data: bytes) -> set[str]:
    reader = PdfReader(io.BytesIO(data))
    names = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            names.add(str(font.get_object()["/BaseFont"]))
    return names


@pytest.mark.parametrize("lang", list(WORDS))
def test_the_bulletin_draws_her_words_in_each_script(staff, logged_in, lang):
    vehicle = WORDS[lang]
    submit_report(CsrfClient(), dict(FULL_REPORT, consent=["peer_alert"], perp_vehicle=vehicle))
    report = Report.objects.get()
    alert = write_alert(logged_in("advocate"), report, perp_vehicle="1")
    assert publish_alert(logged_in("colleague"), alert).status_code == 302
    response = logged_in("advocate").get(f"/staff/alerts/bulletin/?lang={lang}")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert vehicle.replace(" ", "") in _text(response.content).replace(" ", "").replace("\n", "")
    fonts = _fonts(response.content)
    if lang in ("zh-hant", "zh-hans", "ko"):
        assert any("CJK" in f for f in fonts), fonts
    if lang == "th":
        assert any(name in f for f in fonts for name in ("Thai", "Loma", "Waree", "Garuda")), fonts


def test_the_alerts_page_offers_the_bulletin_in_every_language(staff, logged_in):
    html = logged_in("advocate").get("/staff/alerts/").content.decode()
    for code, name in (("th", "ไทย"), ("zh-hant", "繁體中文"), ("tl", "Tagalog"), ("es", "Español")):
        assert f'?lang={code}" lang="{code}" hreflang="{code}">{name}</a>' in html


def test_a_missing_font_is_a_clear_error_not_a_pdf_of_boxes(staff, logged_in, monkeypatch):
    monkeypatch.setattr(pdf, "_THAI_FONTS", [Path("/nonexistent/thai.ttf")])
    response = logged_in("advocate").get("/staff/alerts/bulletin/?lang=th")
    assert response.status_code == 503
    assert "fonts-thai-tlwg" in response.content.decode()
    monkeypatch.setattr(pdf, "_CJK_FONTS", [Path("/nonexistent/cjk.ttc")])
    response = logged_in("advocate").get("/staff/alerts/bulletin/?lang=ko")
    assert response.status_code == 503 and "fonts-noto-cjk" in response.content.decode()


def test_her_words_in_thai_are_drawn_in_an_english_bulletin(staff, logged_in):
    submit_report(CsrfClient(), dict(FULL_REPORT, consent=["peer_alert"], perp_vehicle=WORDS["th"]))
    alert = write_alert(logged_in("advocate"), Report.objects.get(), perp_vehicle="1")
    assert publish_alert(logged_in("colleague"), alert).status_code == 302
    data = logged_in("advocate").get("/staff/alerts/bulletin/?lang=en").content
    assert WORDS["th"] in _text(data)
    assert any(name in f for f in _fonts(data) for name in ("Thai", "Loma", "Waree", "Garuda"))


def test_a_recipients_referral_pdf_draws_a_narrative_in_korean(staff, logged_in):
    narrative = "그 남자가 저를 벽에 밀치고 제 휴대폰과 가방을 가져갔어요."
    submit_report(CsrfClient(), dict(FULL_REPORT, narrative=narrative, consent=["victim_services"]))
    report = Report.objects.get()
    response = logged_in("advocate").submit(
        f"/staff/reports/{report.id}/refer/{staff['organisation'].pk}/", {"action": "send", "include_narrative": "1"}
    )
    assert response.status_code == 302
    from referrals.models import Referral

    referral = Referral.objects.get()
    data = logged_in("recipient").get(f"/staff/inbox/{referral.id}/pdf/").content
    assert narrative.replace(" ", "") in _text(data).replace(" ", "").replace("\n", "")
    assert any("CJK" in f for f in _fonts(data))


def test_a_subscriber_reads_the_alerts_in_any_reporter_language(staff, logged_in):
    from tests.referrals.test_feed import _fetch, _published_alert, _subscribe

    _published_alert(logged_in)
    page = logged_in("admin").get("/staff/alerts/subscribers/").content.decode()
    assert '<option value="th">ไทย</option>' in page and '<option value="zh-hant">繁體中文</option>' in page
    english = _fetch(_subscribe(logged_in, "van", "en")).content.decode()
    thai = _fetch(_subscribe(logged_in, "รถตู้", "th")).content.decode()
    assert 'xml:lang="th"' in thai
    # The alert's answers come in the subscriber's language (the form's words for what happened).
    assert "Robbery" in english and "Robbery" not in thai
