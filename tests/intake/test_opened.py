"""One class opens a report, for the reporter with her receipt and for staff with the organisation key.

Both read the same sections and thread; only staff read the advocates' notes and the photos;
only a staff opening is recorded. The sections come from one place, the field catalogue.
"""

from __future__ import annotations

import secrets

import pytest

from audit.models import Event, PendingEvent
from casework.services import add_note
from intake import services
from intake.choices import FORM_SECTIONS
from intake.services import Draft, OpenedReport, StaffOnly, open_for_staff, open_with_receipt, submit
from policy.catalogue import default_catalogue
from tests.casework.conftest import PASSWORD, staff  # noqa: F401 - the key-holding advocate
from tests.intake.conftest import jpeg_bytes
from vault import envelope
from vault.custody import unlock_staff_key
from vault.session import Unlocked

pytestmark = pytest.mark.django_db

DATA = {
    "crime_types": ["robbery"],
    "role": "victim",
    "area": "Mission District",
    "narrative": "He took my bag at the bus stop.",
    "ctx_working": "yes",
    "consent": ["victim_services"],
}


def _sent(photos: tuple[bytes, ...] = ()) -> tuple[str, str]:
    report, receipt = submit(Draft(nonce=secrets.token_hex(8), lang="en", data=dict(DATA), photos=list(photos)))
    return report.id, receipt


def _keys(staff) -> Unlocked:  # noqa: F811 - the fixture
    user = staff["advocate"]
    return Unlocked(
        staff_private=unlock_staff_key(user.vault_key, PASSWORD),
        org_privates={staff["org_key"].key_id: staff["org_private"]},
    )


def test_the_reporter_and_staff_read_the_same_report(staff):  # noqa: F811 - the fixture
    _rid, receipt = _sent()
    mine = open_with_receipt(receipt)
    services.add_reporter_message(mine, "Is anyone there?")
    theirs = open_for_staff(mine.report, _keys(staff), "advocate")
    assert isinstance(mine, OpenedReport) and isinstance(theirs, OpenedReport)
    assert mine.sections() == theirs.sections()
    assert mine.answers() == theirs.answers()
    assert mine.messages() == theirs.messages()
    assert mine.answers()["narrative"] == DATA["narrative"]
    assert mine.answers()["ctx_working"] == "yes"
    assert "crime_types" in mine.answers() and "urgent" not in mine.answers()  # the summary is not an answer
    assert (mine.opener, theirs.opener) == (services.REPORTER, services.STAFF)


def test_only_a_staff_opening_is_recorded(staff):  # noqa: F811 - the fixture
    rid, receipt = _sent()
    open_with_receipt(receipt)
    assert not Event.objects.filter(object_id=rid).exists()
    assert not PendingEvent.objects.filter(object_id=rid).exists()
    open_for_staff(open_with_receipt(receipt).report, _keys(staff), "advocate", audit_action="report.decrypted")
    assert list(Event.objects.filter(object_id=rid, actor="advocate").values_list("action", flat=True)) == [
        "report.decrypted"
    ]


def test_the_reporter_sees_neither_notes_nor_photos(staff):  # noqa: F811 - the fixture
    photo = jpeg_bytes()
    _rid, receipt = _sent(photos=(photo,))
    mine = open_with_receipt(receipt)
    theirs = open_for_staff(mine.report, _keys(staff), "advocate")
    add_note(theirs, staff["advocate"], "Called the shelter.")
    item = mine.report.attachments.get().item
    assert mine.photos() == theirs.photos() == 1
    with pytest.raises(StaffOnly):
        mine.notes()
    with pytest.raises(StaffOnly):
        mine.photo(item)
    assert [n["text"] for n in theirs.notes()] == ["Called the shelter."]
    assert theirs.photo(item).startswith(b"\xff\xd8")


def test_a_staff_opening_has_no_check_token(staff):  # noqa: F811 - the fixture
    _rid, receipt = _sent()
    theirs = open_for_staff(open_with_receipt(receipt).report, _keys(staff), "advocate")
    with pytest.raises(ValueError, match="receipt"):
        services.seal_check(theirs)


def test_an_account_without_a_grant_opens_nothing_and_nothing_is_recorded(staff):  # noqa: F811 - the fixture
    _rid, receipt = _sent()
    report = open_with_receipt(receipt).report
    with pytest.raises(services.NoKey):
        open_for_staff(
            report, Unlocked(staff_private=unlock_staff_key(staff["auditor"].vault_key, PASSWORD)), "auditor"
        )
    assert not Event.objects.filter(object_id=report.id).exists()


def test_the_sections_are_the_catalogue_s():
    catalogue = default_catalogue()
    assert list(FORM_SECTIONS) == list(catalogue.sections)
    assert [fid for names in FORM_SECTIONS.values() for fid in names] == [f.id for f in catalogue]
    assert ("summary", *catalogue.sections) == services.REPORT_SECTIONS
    assert set(services.REPORT_SECTIONS) <= set(envelope.SECTIONS)


def test_every_section_of_the_catalogue_has_a_title_for_the_reporter_and_for_staff():
    from casework.presenters import SECTION_TITLES as STAFF_TITLES
    from intake.presenters import SECTION_TITLES as REPORTER_TITLES

    assert set(REPORTER_TITLES) == set(STAFF_TITLES) == set(default_catalogue().sections)
