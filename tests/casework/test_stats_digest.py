"""Monthly statistics digests sealed to the organisation key (casework/stats_digest.py, since 2026-12).

The page's figures must be exactly those counted from the summaries; a digest must open only
with the organisation key; a report that leaves must take its month's digest with it; and a
second view must open no summary that the digest already counts.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, time
from unittest import mock

import pytest
from django.utils import timezone

from casework import stats, stats_digest
from casework.models import StatsMonth
from casework.services import shred, summaries_since
from casework.views_stats import DIMENSIONS
from intake.models import Report
from intake.services import withdraw
from tests.casework.conftest import PASSWORD
from tests.casework.test_stats import make_report, month_start
from vault import crypto, custody, envelope
from vault.custody import create_org_key
from vault.exceptions import DecryptionError
from vault.session import Unlocked

pytestmark = pytest.mark.django_db


def _keys(staff) -> Unlocked:
    return custody.unlock(staff["advocate"], PASSWORD)


def _months():
    return stats.last_months(timezone.localdate())


def _from_summaries(keys):
    """The page's counts the way they were made before 2026-12: every summary opened."""
    months = _months()
    since = timezone.make_aware(datetime.combine(months[0], time.min))
    entries, _ = summaries_since(since, keys)
    return stats.tabulate(((timezone.localtime(at).date().replace(day=1), s) for at, s in entries), months, DIMENSIONS)


def _from_digests(keys):
    months = _months()
    per_month, unreadable = stats_digest.month_counts(months, DIMENSIONS, keys)
    return stats.counted([(m.total, m.cells) for m in per_month], months, DIMENSIONS), unreadable


def _seed():
    months = _months()
    make_report(["robbery"], ["medical"])
    make_report(["robbery", "stalking"], [])
    make_report([], ["legal", "shelter"], at=month_start(months[9]))
    make_report(["physical_assault"], ["legal"], at=month_start(months[9]))
    make_report(["kidnapping"], ["medical"], at=month_start(months[3]))
    return months


def _counts_equal(a: stats.Counts, b: stats.Counts) -> None:
    assert a.month_totals == b.month_totals
    assert a.cells == b.cells


def test_the_counts_are_those_of_the_summaries_before_and_after_a_digest(staff):
    _seed()
    keys = _keys(staff)
    first, unreadable = _from_digests(keys)
    assert unreadable == 0
    _counts_equal(first, _from_summaries(keys))
    assert StatsMonth.objects.count() == 12  # every month sealed, the empty ones too
    again, _ = _from_digests(keys)
    _counts_equal(again, first)


def test_a_second_view_opens_no_summary(staff):
    _seed()
    keys = _keys(staff)
    _from_digests(keys)
    with mock.patch.object(stats_digest, "_summaries", side_effect=AssertionError("a summary was opened")):
        counts, _ = _from_digests(keys)
    assert sum(counts.month_totals) == 5


def test_a_new_report_is_added_by_opening_its_summary_only(staff):
    months = _seed()
    keys = _keys(staff)
    _from_digests(keys)
    new = make_report(["trafficking"], ["shelter"], at=month_start(months[9]))
    opened: list = []
    real = stats_digest._summaries

    def spy(query, *args, **kwargs):
        found, lost = real(query, *args, **kwargs)
        opened.extend(found)
        return found, lost

    with mock.patch.object(stats_digest, "_summaries", spy):
        counts, _ = _from_digests(keys)
    assert opened == [new.id]
    _counts_equal(counts, _from_summaries(keys))
    assert counts.cells["crime_types", "trafficking", 9] == 1


def test_the_digest_opens_only_with_the_organisation_key_and_holds_no_words(staff):
    _seed()
    _from_digests(_keys(staff))
    row = StatsMonth.objects.get(month=_months()[-1])
    blob = bytes(row.blob)
    for word in (b"robbery", b"stalking", b"medical", b"crime_types"):
        assert word not in blob
    other = crypto.generate_keypair()
    with pytest.raises(DecryptionError):
        envelope.open_stats_month(other.private, f"{row.month:%Y-%m}", blob)
    with pytest.raises(DecryptionError):  # bound to its month: moved to another, it does not open
        envelope.open_stats_month(staff["org_private"], "1999-01", blob)
    assert b"robbery" in envelope.open_stats_month(staff["org_private"], f"{row.month:%Y-%m}", blob)


def test_a_withdrawn_report_takes_its_month_digest_with_it(staff):
    months = _seed()
    keys = _keys(staff)
    _from_digests(keys)
    leaving = make_report(["burglary"], ["counselling"], at=month_start(months[3]))
    _from_digests(keys)
    assert StatsMonth.objects.filter(month=months[3]).exists()
    from intake.services import OpenedReport

    withdraw(OpenedReport(report=Report.objects.get(pk=leaving.pk), dek=b"", receipt=""))
    assert not StatsMonth.objects.filter(month=months[3]).exists()
    assert StatsMonth.objects.filter(month=months[9]).exists()  # other months keep theirs
    counts, _ = _from_digests(keys)
    _counts_equal(counts, _from_summaries(keys))
    assert counts.cells["crime_types", "burglary", 3] == 0


def test_a_purged_report_takes_its_month_digest_with_it(staff):
    months = _seed()
    keys = _keys(staff)
    _from_digests(keys)
    start, end = stats_digest._bounds(months[9])
    shred(Report.objects.filter(received_at__gte=start, received_at__lt=end).first(), "test", "report.purged")
    assert not StatsMonth.objects.filter(month=months[9]).exists()
    counts, _ = _from_digests(keys)
    _counts_equal(counts, _from_summaries(keys))


def test_a_viewer_who_cannot_open_every_report_seals_nothing(staff):
    make_report(["robbery"], [])
    create_org_key(staff["colleague"].vault_key)  # a key the advocate holds no grant of
    make_report(["robbery"], [])
    counts, unreadable = _from_digests(_keys(staff))
    assert unreadable == 1
    assert counts.month_totals[-1] == 1
    assert not StatsMonth.objects.filter(month=_months()[-1]).exists()


def test_a_digest_of_other_categories_is_counted_again(staff):
    _seed()
    keys = _keys(staff)
    _from_digests(keys)
    fewer = [("crime_types", DIMENSIONS[0][1][:3])]
    per_month, _ = stats_digest.month_counts(_months(), fewer, keys)
    assert Counter(k for m in per_month for k in m.cells) <= Counter(
        {("crime_types", c): 99 for c, _ in [*fewer[0][1], (stats.NONE_STATED, "")]}
    )
    assert per_month[-1].cells["crime_types", "robbery"] == 2


def test_the_page_shows_the_same_figures_from_the_digest(staff, logged_in):
    _seed()
    client = logged_in("advocate")
    first = client.get("/staff/stats/").content.decode()
    assert StatsMonth.objects.exists()
    second = client.get("/staff/stats/").content.decode()
    strip = lambda html: html.split("<main", 1)[1].split("</main>", 1)[0]  # noqa: E731
    assert strip(first) == strip(second)
