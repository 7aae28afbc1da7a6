"""The period's report as an Excel workbook (openpyxl): summary, departments, severe-overdue list,
assessment — one sheet builder each, in `SHEETS`; another package adds its sheet with
`register_sheet(builder)` (a function of the workbook and the `ReportData`).

Numbers are written as numbers (rates as fractions shown in per cent), each row and column
carrying its stable code beside the label, so the workbook can be read back by a program as well
as by a person. Labels follow the current locale (zh_CN by default).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, tzinfo
from io import BytesIO

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from sqlalchemy.orm import Session

from workorders.assessment.score import Assessed, flatten
from workorders.stats.figures import Report
from workorders.stats.periods import Period
from workorders.stats.severe import SevereEntry

from ..i18n import label
from .labels import NO_GROUP, RANKING_COLUMNS, RATES, SUMMARY_FIGURES, figure_label

HEADER = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDE6F0")
TITLE = Font(bold=True, size=14)


@dataclass
class ReportData:
    """What the sheets are built from; `session` for a sheet that needs figures of its own."""

    session: Session
    kind: str  # week, month, quarter, year (or range)
    period: Period
    now: datetime
    tz: tzinfo
    departments: Report
    severe: list[SevereEntry]
    scheme_title: str
    assessment: list[Assessed]


SheetBuilder = Callable[[Workbook, ReportData], None]


def build(data: ReportData) -> Workbook:
    wb = Workbook()
    wb.remove(wb.active)
    for builder in SHEETS:
        builder(wb, data)
    return wb


def register_sheet(builder: SheetBuilder) -> None:
    """Add a sheet after the built-in ones (once; registering the same builder again is a no-op)."""
    if builder not in SHEETS:
        SHEETS.append(builder)


def file_name(kind: str, period: Period) -> str:
    first = period.first
    label = {"week": f"{first:%Y}-W{first.isocalendar()[1]:02d}", "month": f"{first:%Y-%m}",
             "quarter": f"{first:%Y}-Q{(first.month - 1) // 3 + 1}", "year": f"{first:%Y}"}.get(
        kind, f"{first.isoformat()}_{period.last.isoformat()}")
    return f"hotline-report-{label}.xlsx"


TITLES = {"week": _l("12345 Hotline weekly report"), "month": _l("12345 Hotline monthly report"),
          "quarter": _l("12345 Hotline quarterly report"), "year": _l("12345 Hotline annual report")}


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


def summary_sheet(wb: Workbook, data: ReportData) -> None:
    _summary(wb.create_sheet(), data.departments, data.tz, str(TITLES.get(data.kind, _("12345 Hotline report"))))


def departments_sheet(wb: Workbook, data: ReportData) -> None:
    _departments(wb.create_sheet(), data.departments)


def severe_sheet(wb: Workbook, data: ReportData) -> None:
    _severe(wb.create_sheet(), data.severe, data.departments.as_of, data.tz)


def assessment_sheet(wb: Workbook, data: ReportData) -> None:
    """Rank, department, score and the points of each part; sub-units under their department."""
    ws = wb.create_sheet(_("Assessment"))
    ws.append([_("Department assessment"), data.scheme_title])
    ws["A1"].font = TITLE
    ws.append([_("Period"), f"{data.period.first.isoformat()} – {data.period.last.isoformat()}"])
    ws.append([])
    parts = [name for name in PART_COLUMNS if any(name in a.parts for a in flatten(data.assessment))]
    _header(ws, [_("Rank"), _("Ranked among"), _("Department"), _("Code"), _("Score"),
                 *[figure_label(p) for p in parts]])
    ws.append(["rank", "peers", "", _("Code"), "score", *parts])  # machine-readable column codes
    for node in flatten(data.assessment):
        ws.append([node.rank, node.peers, "　" * node.row.depth + node.row.name, node.code, node.score,
                   *[node.parts[p]["points"] if p in node.parts else None for p in parts]])
    if not data.assessment:
        ws.append([_("No department was assessed in this period.")])
    _widths(ws, [8, 10, 30, 18, 10] + [14] * len(parts))


PART_COLUMNS = ("reply_rate", "on_time_rate", "resolution_rate", "satisfaction_rate", "overdue_rate",
                "returns_per_100", "severe_overdue")


def _summary(ws, report: Report, tz, title: str) -> None:
    ws.title = _("Summary")
    _title(ws, title, report, tz)
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


SHEETS: list[SheetBuilder] = [summary_sheet, departments_sheet, severe_sheet, assessment_sheet]


def _widths(ws, widths: list[int]) -> None:
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
