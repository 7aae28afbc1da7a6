"""The monthly report as an Excel workbook (openpyxl): summary, departments, severe-overdue list.

Numbers are written as numbers (rates as fractions shown in per cent), each row and column
carrying its stable code beside the label, so the workbook can be read back by a program as well
as by a person. Labels follow the current locale (zh_CN by default).
"""
from __future__ import annotations

from datetime import datetime
from io import BytesIO

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from workorders.stats.figures import Report
from workorders.stats.severe import SevereEntry

from ..i18n import label
from .labels import NO_GROUP, RANKING_COLUMNS, RATES, SUMMARY_FIGURES, figure_label

HEADER = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDE6F0")
TITLE = Font(bold=True, size=14)


def build(departments: Report, severe: list[SevereEntry], tz) -> Workbook:
    wb = Workbook()
    _summary(wb.active, departments, tz)
    _departments(wb.create_sheet(), departments)
    _severe(wb.create_sheet(), severe, departments.as_of, tz)
    return wb


def to_bytes(wb: Workbook) -> bytes:
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def _title(ws, text: str, report: Report, tz) -> None:
    ws.append([text])
    ws["A1"].font = TITLE
    ws.append([_("Period"), f"{report.period.first.isoformat()} – {report.period.last.isoformat()}"])
    ws.append([_("Figures as of"), _local(report.as_of, tz)])
    ws.append([_("Roll-up refreshed at"), _local(report.refreshed_at, tz) if report.refreshed_at else "—"])
    ws.append([])


def _header(ws, values: list) -> None:
    ws.append(values)
    for cell in ws[ws.max_row]:
        cell.font, cell.fill = HEADER, HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")


def _number(cell, name: str) -> None:
    if name in RATES:
        cell.number_format = "0.0%"
    elif name in ("average_reply_days", "returns_per_100"):
        cell.number_format = "0.00"


def _summary(ws, report: Report, tz) -> None:
    ws.title = _("Summary")
    _title(ws, _("12345 Hotline monthly report"), report, tz)
    _header(ws, [_("Figure"), _("Value"), _("Code")])
    figures = report.total.as_dict()
    for name in SUMMARY_FIGURES:
        ws.append([figure_label(name), figures[name], name])
        _number(ws.cell(ws.max_row, 2), name)
    _widths(ws, [34, 16, 22])


def _departments(ws, report: Report) -> None:
    ws.title = _("Departments")
    _header(ws, [_("Department"), _("Code"), *[figure_label(c) for c in RANKING_COLUMNS]])
    ws.append([_("Code"), "", *RANKING_COLUMNS])  # machine-readable column codes
    for row in report.rows:
        name = str(NO_GROUP["department"]) if row.key == "" else "　" * row.depth + row.name
        figures = row.figures.as_dict()
        ws.append([name, row.code, *[figures[c] for c in RANKING_COLUMNS]])
        for i, column in enumerate(RANKING_COLUMNS, start=3):
            _number(ws.cell(ws.max_row, i), column)
    totals = report.total.as_dict()
    ws.append([_("Total"), "", *[totals[c] for c in RANKING_COLUMNS]])
    for i, column in enumerate(RANKING_COLUMNS, start=3):
        cell = ws.cell(ws.max_row, i)
        _number(cell, column)
        cell.font = HEADER
    ws.freeze_panes = "C3"
    _widths(ws, [30, 18] + [12] * len(RANKING_COLUMNS))


def _severe(ws, entries: list[SevereEntry], now: datetime, tz) -> None:
    ws.title = _("Severely overdue")
    _header(ws, [_("Number"), _("Department"), _("Type"), _("Category"), _("Dispatched"), _("Due"),
                 _("Severe threshold"), _("Ended"), _("How it ended"), _("Days past due")])
    for e in entries:
        ws.append([
            e.number, e.department or "", label("type", e.type), e.category or "",
            _local(e.dispatched_at, tz), _local(e.due_at, tz), _local(e.severe_at, tz),
            _local(e.ended_at, tz) if e.ended_at else _("still held"),
            label("action", e.ended_by) if e.ended_by else label("state", e.state),
            e.days_past_due(now),
        ])
    if not entries:
        ws.append([_("No dispatch of this period went past the severe threshold.")])
    _widths(ws, [18, 26, 10, 14, 18, 18, 18, 18, 14, 12])


def _local(t: datetime | None, tz):
    # Excel has no time zones: the hotline's local time, as people read it.
    return None if t is None else t.astimezone(tz).replace(tzinfo=None)


def _widths(ws, widths: list[int]) -> None:
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
