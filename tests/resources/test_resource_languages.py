"""Resources in the other reporter languages: optional, whole or absent, and marked when they fall back.

An administrator may give a resource's texts in Traditional and Simplified Chinese, Tagalog,
Vietnamese, Korean and Thai. A reader of one of those reads them in it; a reader of a language
without them reads the English, marked ``lang="en"`` so that a screen reader does not read
English words with a Thai voice. The page's own words ("Call …") stay in the page's language.
"""

from __future__ import annotations

import re

import pytest

from resources.models import Resource
from tests.conftest import CsrfClient

from .test_resources import HOTLINE

pytestmark = pytest.mark.django_db

THAI = {
    "name__th": "สายด่วนแห่งชาติเรื่องการค้ามนุษย์",
    "helps_with__th": "ช่วยเหลือและวางแผนความปลอดภัยหากมีคนควบคุมงานของคุณ",
    "hours__th": "ทุกวัน ตลอด 24 ชั่วโมง",
    "languages__th": "อังกฤษ สเปน และอีกกว่า 200 ภาษา",
}
# Given without a name of its own: the name stays the English one.
TAGALOG = {
    "helps_with__tl": "Tulong at plano para sa kaligtasan kung may kumokontrol sa trabaho mo",
    "hours__tl": "Araw-araw, buong araw",
    "languages__tl": "Ingles, Espanyol at 200 pa",
}


def _add(logged_in, **fields):
    return logged_in("admin").submit("/staff/resources/new/", dict(HOTLINE, **fields))


def _resource_html(path: str) -> str:
    html = CsrfClient().get(path).content.decode()
    start = html.index('<section class="resources')
    return html[start : html.index("</section>", start)]


def test_a_reader_of_a_given_language_reads_it_without_a_lang_mark(staff, logged_in):
    assert _add(logged_in, **THAI).status_code == 302
    assert Resource.objects.get().translations == {
        "th": {
            "name": THAI["name__th"],
            "helps_with": THAI["helps_with__th"],
            "hours": THAI["hours__th"],
            "languages": THAI["languages__th"],
        }
    }
    thai = _resource_html("/th/")
    for text in THAI.values():
        assert text in thai
    assert HOTLINE["helps_with_en"] not in thai and HOTLINE["name"] not in thai
    assert ' lang="' not in thai


def test_a_reader_of_a_language_not_given_reads_the_english_marked_as_english(staff, logged_in):
    assert _add(logged_in, **THAI).status_code == 302
    korean = _resource_html("/ko/")
    assert f'<p class="resource-name mb-0" lang="en"><strong>{HOTLINE["name"]}</strong></p>' in korean
    assert f'<p class="mb-1" lang="en">{HOTLINE["helps_with_en"]}</p>' in korean
    assert f'<span lang="en">{HOTLINE["hours_en"]}</span>' in korean
    assert f'<span lang="en">{HOTLINE["languages_en"]}</span>' in korean
    # The page's own words are Korean, and unmarked.
    phone_link = re.search(r'<a class="resource-phone"[^>]*>([^<]*)</a>', korean)
    assert phone_link and HOTLINE["phone"] in phone_link.group(1) and "Call" not in phone_link.group(1)
    assert THAI["helps_with__th"] not in korean


def test_a_name_not_given_stays_the_english_one_marked_as_english(staff, logged_in):
    assert _add(logged_in, **TAGALOG).status_code == 302
    tagalog = _resource_html("/tl/")
    assert f'<p class="resource-name mb-0" lang="en"><strong>{HOTLINE["name"]}</strong></p>' in tagalog
    assert f'<p class="mb-1">{TAGALOG["helps_with__tl"]}</p>' in tagalog
    assert TAGALOG["languages__tl"] in tagalog and '<span lang="en">' not in tagalog


def test_english_and_spanish_pages_read_their_own_texts(staff, logged_in):
    assert _add(logged_in, **THAI).status_code == 302
    english = _resource_html("/")
    assert HOTLINE["helps_with_en"] in english and ' lang="' not in english
    spanish = _resource_html("/es/")
    assert HOTLINE["helps_with_es"] in spanish and HOTLINE["name_es"] in spanish and ' lang="' not in spanish
    # A Spanish name left empty is the English name, marked as English.
    assert (
        logged_in("admin")
        .submit(f"/staff/resources/{Resource.objects.get().pk}/", dict(HOTLINE, name_es="", **THAI))
        .status_code
        == 302
    )
    assert f'<p class="resource-name mb-0" lang="en"><strong>{HOTLINE["name"]}</strong></p>' in _resource_html("/es/")


@pytest.mark.parametrize(
    ("fields", "wrong"),
    [
        ({"name__vi": "Đường dây nóng"}, "helps_with__vi"),  # a name alone is no translation
        ({"helps_with__ko": "도움"}, "hours__ko"),  # the English gives hours: so must Korean
        ({"helps_with__ko": "도움", "hours__ko": "매일"}, "languages__ko"),
        ({"hours__th": "ทุกวัน"}, "helps_with__th"),
    ],
)
def test_a_language_is_given_whole_or_not_at_all(staff, logged_in, fields, wrong):
    response = _add(logged_in, **fields)
    html = response.content.decode()
    assert response.status_code == 400
    assert f'id="error_1_id_{wrong}"' in html and "leave this language empty" in html
    assert not Resource.objects.exists()
    for value in fields.values():
        assert value in html  # nothing typed is lost


def test_a_text_the_english_does_not_give_is_refused(staff, logged_in):
    response = _add(logged_in, hours_en="", hours_es="", **THAI)
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="error_1_id_hours__th"' in html and "Give this in English first" in html
    assert not Resource.objects.exists()


def test_the_form_shows_what_was_given_and_a_language_emptied_is_gone(staff, logged_in):
    assert _add(logged_in, **THAI, **TAGALOG).status_code == 302
    resource = Resource.objects.get()
    assert [code for code, _local in resource.given_languages] == ["tl", "th"]
    listing = logged_in("admin").get("/staff/resources/").content.decode()
    assert '<span lang="th">ไทย</span>' in listing and '<span lang="tl">Tagalog</span>' in listing
    form = logged_in("admin").get(f"/staff/resources/{resource.pk}/").content.decode()
    assert THAI["helps_with__th"] in form and TAGALOG["helps_with__tl"] in form
    assert "ไทย</span> (Thai), optional" in form
    emptied = {name: "" for name in THAI}
    assert (
        logged_in("admin").submit(f"/staff/resources/{resource.pk}/", dict(HOTLINE, **TAGALOG, **emptied)).status_code
        == 302
    )
    assert set(Resource.objects.get().translations) == {"tl"}
    assert THAI["helps_with__th"] not in _resource_html("/th/")


def test_a_change_to_the_english_needs_each_given_language_changed_or_emptied(staff, logged_in):
    assert _add(logged_in, **THAI, **TAGALOG).status_code == 302
    resource = Resource.objects.get()
    url = f"/staff/resources/{resource.pk}/"
    weekdays = dict(HOTLINE, hours_en="Weekdays, 9 to 5", hours_es="Entre semana, de 9 a 5")
    refused = logged_in("admin").submit(url, dict(weekdays, **THAI, **TAGALOG))
    html = refused.content.decode()
    assert refused.status_code == 400
    assert 'id="error_1_id_helps_with__th"' in html and 'id="error_1_id_helps_with__tl"' in html
    assert "The English changed" in html and "Weekdays, 9 to 5" in html  # nothing typed is lost
    assert Resource.objects.get().hours_en == HOTLINE["hours_en"]
    # Thai says the same again, Tagalog is emptied: accepted.
    thai = dict(THAI, hours__th="วันธรรมดา 9 โมงถึง 5 โมงเย็น")
    no_tagalog = {name: "" for name in TAGALOG}
    assert logged_in("admin").submit(url, dict(weekdays, **thai, **no_tagalog)).status_code == 302
    assert set(Resource.objects.get().translations) == {"th"}
    assert "วันธรรมดา" in _resource_html("/th/")
    assert '<span lang="en">Weekdays, 9 to 5</span>' in _resource_html("/tl/")
    # Changing only the phone number leaves the languages as they are.
    assert logged_in("admin").submit(url, dict(weekdays, phone="988", **thai)).status_code == 302


def test_a_stored_language_that_is_not_whole_is_not_read():
    resource = Resource(
        name="Hotline",
        helps_with_en="Help",
        hours_en="Every day",
        translations={"th": {"helps_with": "ช่วยเหลือ"}, "ko": {"hours": "매일"}},
    )
    assert resource.in_language("th")["helps_with"] == "Help" and resource.in_language("th")["lang"] == "en"
    assert resource.in_language("ko")["helps_with"] == "Help"
    whole = Resource(
        name="Hotline", helps_with_en="Help", translations={"th": {"helps_with": "ช่วยเหลือ", "hours": "ทุกวัน"}}
    )
    assert whole.in_language("th") | {"tel": ""} == whole.in_language("th") | {"tel": ""}
    assert whole.in_language("th")["helps_with"] == "ช่วยเหลือ" and whole.in_language("th")["hours"] == ""


def test_english_shown_on_another_page_is_escaped(staff, logged_in):
    markup = '<b>x</b> & "y"'
    assert _add(logged_in, helps_with_en=markup, languages_en=markup).status_code == 302
    korean = _resource_html("/ko/")
    escaped = "&lt;b&gt;x&lt;/b&gt; &amp; &quot;y&quot;"
    assert f'<p class="mb-1" lang="en">{escaped}</p>' in korean
    assert f'<span lang="en">{escaped}</span>' in korean
    assert "<b>x</b>" not in korean


def test_the_form_marks_each_language_it_asks_for(staff, logged_in):
    form = logged_in("admin").get("/staff/resources/new/").content.decode()
    assert '<span lang="th">ไทย</span> (Thai), optional' in form
    assert re.search(
        r'<input[^>]*name="helps_with__th"[^>]*lang="th"|<input[^>]*lang="th"[^>]*name="helps_with__th"', form
    )


def test_a_text_too_long_gets_its_own_message_only(staff, logged_in):
    response = _add(logged_in, hours_en="x" * 121, **THAI)
    html = response.content.decode()
    assert response.status_code == 400
    assert 'id="error_1_id_hours_en"' in html
    assert "Give this in English first" not in html and "Give this in both languages" not in html
    assert not Resource.objects.exists()
