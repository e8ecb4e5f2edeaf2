"""The statistics page: reports per month by crime type and by need.

The server cannot count what it cannot read: the numbers come from the
summaries the viewer's unlocked keys open, computed for this request and
never stored. casework/stats.py decides what may be shown (small counts).
Advocates, administrators and auditors see it (casework.roles.STATISTICS);
a viewer whose keys open no summary sees only the reports received per month.
The CSV export carries exactly the page's figures, in the page's words.
"""

from __future__ import annotations

import csv
from datetime import datetime, time

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from audit.services import record
from casework import charts, services, stats
from casework.roles import STATISTICS, staff_required
from intake.choices import CRIME_TYPES, NEEDS

DIMENSIONS = [("crime_types", CRIME_TYPES), ("needs", NEEDS)]


def _month(at: datetime):
    return timezone.localtime(at).date().replace(day=1)


def _text(cell: stats.Cell) -> dict[str, str]:
    texts = {
        stats.SMALL: _("fewer than 5"),
        stats.HIDDEN: _("not shown"),
        stats.COLLAPSED: "–",
        stats.WITHHELD: _("withheld"),
    }
    return {"state": cell.state, "text": str(cell.value) if cell.shown else texts[cell.state]}


def _counted(request) -> tuple[list, stats.Statistics, int, bool]:
    """Decrypt the summaries of the last 12 months with the viewer's keys, count, and suppress.

    Keys that open no summary (an auditor's; an administrator who holds no grant) still get
    what the server counts alone: the hour each report arrived is not encrypted. The same
    rules apply to those counts; the tables by crime type and need are left out (``keyless``).
    """
    months = stats.last_months(timezone.localdate())
    since = timezone.make_aware(datetime.combine(months[0], time.min))
    entries, unreadable = services.summaries_since(since, request.harbor_keys)
    keyless = not entries and unreadable > 0
    if keyless:
        entries = [(at, {}) for at in services.received_since(since)]
    # The labels in the language of this request, as the page and the CSV show them.
    dimensions = (
        [] if keyless else [(key, [(code, str(label)) for code, label in choices]) for key, choices in DIMENSIONS]
    )
    result = stats.build(((_month(at), s) for at, s in entries), months, dimensions, none_label=_("None stated"))
    return months, result, unreadable, keyless


def _unreadable(unreadable: int) -> dict[str, str]:
    # Itself a count: 1 to 4 reads "fewer than 5".
    return _text(stats.Cell(None, stats.SMALL) if 0 < unreadable < stats.THRESHOLD else stats.Cell(unreadable))


def _titles() -> dict[str, tuple[str, str]]:
    return {
        "crime_types": (_("Reports by type of crime"), _("Type of crime")),
        "needs": (_("Reports by what the reporter needs"), _("Need")),
    }


@staff_required(*STATISTICS, unlocked=True)
@require_GET
def statistics(request):
    months, result, unreadable, keyless = _counted(request)
    record(request.user.username, "stats.viewed")

    span = {"first": date_format(months[0], "F Y"), "last": date_format(months[-1], "F Y")}
    titles = _titles()
    tables = []
    for table in result.tables:
        title, heading = titles[table.key]
        series = [(str(row.label), row.cells) for row in table.rows]
        tables.append(
            {
                "key": table.key,
                "title": title,
                "heading": heading,
                "chart": charts.stacked_bars(
                    chart_id=f"chart-{table.key}",
                    title=title,
                    description=_(
                        "Stacked bars, one for each month from %(first)s to %(last)s. Only counts of 5 or more "
                        "are drawn; the table below gives every figure the page may show."
                    )
                    % span,
                    months=months,
                    series=series,
                ),
                "rows": [
                    {"label": str(row.label), "cells": [_text(c) for c in row.cells], "total": _text(row.total)}
                    for row in table.rows
                ],
            }
        )
    return render(
        request,
        "casework/stats.html",
        {
            "months": months,
            "span": span,
            "tables": tables,
            "month_totals": [_text(c) for c in result.month_totals],
            "total": _text(result.total),
            "unreadable": _unreadable(unreadable),
            "any_unreadable": unreadable > 0 and not keyless,
            "keyless": keyless,
        },
    )


#: A cell that a spreadsheet would read as a formula (CSV injection) starts with one of these.
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def _csv_cell(text: str) -> str:
    return "'" + text if text.startswith(_FORMULA) else text


def csv_rows(months, result: stats.Statistics, unreadable: int, keyless: bool = False) -> list[list[str]]:
    """The page's figures as CSV rows: the very cells the page shows, in the same words.

    Built from the same suppressed ``Statistics`` and the same ``_text`` as the page, never
    from the raw counts, so a figure the page withholds cannot appear here either.
    """
    titles = _titles()
    rows = [[_("Table"), _("Category"), *(m.strftime("%Y-%m") for m in months), _("All months")]]
    rows.append(
        [_("Reports received"), "", *(_text(c)["text"] for c in result.month_totals), _text(result.total)["text"]]
    )
    for table in result.tables:
        heading = titles[table.key][1]
        for row in table.rows:
            rows.append([heading, str(row.label), *(_text(c)["text"] for c in row.cells), _text(row.total)["text"]])
    if unreadable and not keyless:
        rows.append(
            [
                _("Not counted: reports your keys do not open"),
                "",
                *([""] * len(months)),
                _unreadable(unreadable)["text"],
            ]
        )
    return [[_csv_cell(str(cell)) for cell in row] for row in rows]


@staff_required(*STATISTICS, unlocked=True)
@require_GET
def statistics_csv(request):
    """The statistics page's figures as CSV, with exactly the page's small-count rules (docs/statistics.md)."""
    months, result, unreadable, keyless = _counted(request)
    record(request.user.username, "stats.exported")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="statistics-{months[-1].strftime("%Y-%m")}.csv"'
    # A byte-order mark so that spreadsheets read the accents and "–" as UTF-8.
    response.write("\ufeff")
    csv.writer(response).writerows(csv_rows(months, result, unreadable, keyless))
    return response
