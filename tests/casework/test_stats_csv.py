"""The statistics as CSV: the page's figures in the page's words, withheld exactly as the page withholds them."""

from __future__ import annotations

import csv
import io
import os
import re
from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from audit.models import Event
from casework import stats, views_stats
from tests.casework.test_stats import make_report, rows_of
from tests.conftest import CsrfClient

ROBBERY = "Robbery (something taken by force or threat)"
STALKING = "Stalking or being followed"
LABELS = {"fewer than 5", "not shown", "–", "withheld"}


def _csv(client) -> list[list[str]]:
    response = client.get("/staff/stats/csv/")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="statistics-')
    assert "no-store" in response["Cache-Control"]
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def _month_row(html: str) -> list[str]:
    section = html.split('aria-labelledby="stats-months"', 1)[1].split("</table>", maxsplit=1)[0]
    return [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", section, re.S)]


def _page_cells(html: str) -> dict[tuple[str, str], list[str]]:
    """Every figure of the page, keyed as the CSV keys it: (table heading, category)."""
    cells = {("Reports received", ""): _month_row(html)}
    for key, heading in (("crime_types", "Type of crime"), ("needs", "Need")):
        for label, row in rows_of(html, key).items():
            # The page reads "–" to the eye and "counted in the total only" to a screen reader.
            cells[heading, label] = [c.replace("–counted in the total only", "–") for c in row]
    return cells


def test_the_csv_holds_exactly_the_pages_figures(staff, logged_in):
    for _ in range(3):
        make_report(["stalking"], ["legal"])
    for _ in range(8):
        make_report(["robbery"], ["shelter"])
    client = logged_in("advocate")
    page = _page_cells(client.get("/staff/stats/").content.decode())
    rows = _csv(client)
    assert rows[0][0:2] == ["Table", "Category"] and rows[0][-1] == "All months" and len(rows[0]) == 15
    from_csv = {(row[0], row[1]): row[2:] for row in rows[1:]}
    assert from_csv == page
    # What the page withholds, the CSV withholds: 3 stalkings, and the month's 11 that would give them away.
    assert from_csv["Type of crime", STALKING][-1] == "fewer than 5"
    assert from_csv["Reports received", ""][-2:] == ["not shown", "not shown"]
    assert from_csv["Type of crime", ROBBERY][-2:] == ["8", "8"]
    figures = {cell for row in rows[1:] for cell in row[2:]}
    assert "3" not in figures and "11" not in figures


def test_the_export_is_audited_apart_from_the_page(staff, logged_in):
    make_report(["robbery"], [])
    _csv(logged_in("advocate"))
    assert list(
        Event.objects.filter(actor="advocate", action__startswith="stats.").values_list("action", flat=True)
    ) == ["stats.exported"]


def test_reports_the_keys_do_not_open_are_counted_as_the_page_counts_them(staff, logged_in):
    from vault.custody import create_org_key

    make_report(["robbery"], [])
    create_org_key(staff["colleague"].vault_key)
    make_report(["robbery"], [])
    rows = _csv(logged_in("advocate"))
    assert rows[-1][0] == "Not counted: reports your keys do not open" and rows[-1][-1] == "fewer than 5"


def test_those_who_see_the_page_export_it_and_only_by_get(staff, logged_in):
    # Advocates, administrators and auditors see the statistics page (casework.roles.STATISTICS),
    # so they may take its figures away too; recipients and outsiders may do neither.
    for name in ("recipient", "outsider"):
        assert logged_in(name).get("/staff/stats/csv/").status_code == 403, name
    for name in ("admin", "auditor"):
        assert logged_in(name).get("/staff/stats/csv/").status_code == 200, name
    assert CsrfClient().get("/staff/stats/csv/").status_code == 302
    assert logged_in("advocate").submit("/staff/stats/csv/", {}).status_code == 405
    assert "/staff/stats/csv/" in logged_in("advocate").get("/staff/stats/").content.decode()


def test_a_cell_a_spreadsheet_would_run_is_quoted():
    assert views_stats._csv_cell("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert views_stats._csv_cell("-1") == "'-1" and views_stats._csv_cell("–") == "–"


MONTHS = [date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)]


@settings(max_examples=int(os.environ.get("HARBOR_STATS_EXAMPLES", "120")), deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(0, 2),
            st.lists(st.sampled_from(["robbery", "stalking", "physical_assault"]), max_size=2, unique=True),
            st.lists(st.sampled_from(["medical", "legal"]), max_size=2, unique=True),
        ),
        max_size=40,
    ),
    st.integers(0, 7),
)
def test_a_csv_never_shows_a_figure_the_page_does_not(reports, unreadable):
    entries = [(MONTHS[m], {"crime_types": c, "needs": n}) for m, c, n in reports]
    result = stats.build(entries, MONTHS, views_stats.DIMENSIONS)
    rows = views_stats.csv_rows(MONTHS, result, unreadable)
    published = [result.month_totals + [result.total]]
    published += [row.cells + [row.total] for table in result.tables for row in table.rows]
    assert len(rows) == 1 + len(published) + (1 if unreadable else 0)
    for cells, row in zip(published, rows[1:], strict=False):
        for cell, text in zip(cells, row[2:], strict=True):
            if cell.shown:
                assert text == str(cell.value)
            else:
                assert text in LABELS, (cell, text)  # never a number the page does not show
    if unreadable:
        assert rows[-1][-1] == ("fewer than 5" if unreadable < 5 else str(unreadable))
