"""The calls sheet (话务) of the monthly workbook: the month's call figures and each agent's.

Read from the daily roll-up (`cc_daily_calls`, `cc_daily_agents`), like the rest of the report.
Each row carries its code beside the label, as on the other sheets, so a program can read it back.
"""
from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from workorders.callcenter.daily import rolled_up
from workorders.models import User
from workorders.stats.periods import Period

from ..stats_web.workbook import HEADER, HEADER_FILL, _widths
from .labels import AGENT_COLUMNS, CALL_RATES, CALL_SUMMARY, call_label


def calls_sheet(wb, data) -> None:
    """The workbook's sheet builder (`hotline.stats_web.workbook.register_sheet`)."""
    add_calls_sheet(wb, data.session, data.period)


def add_calls_sheet(wb, session, period: Period) -> None:
    counts = rolled_up(session, period.first, period.last)
    ws = wb.create_sheet(_("Calls"))
    ws.append([_("Calls")])
    ws.append([_("Period"), f"{period.first.isoformat()} – {period.last.isoformat()}"])
    ws.append([])
    _header(ws, [_("Figure"), _("Value"), _("Code")])
    # Unrounded: the cells' number formats round for the reader, a program reads the exact value.
    for name in CALL_SUMMARY:
        ws.append([call_label(name), getattr(counts, name), name])
        _format(ws.cell(ws.max_row, 2), name)
    ws.append([])
    _header(ws, [_("Agent"), _("Code"), *[call_label(c) for c in AGENT_COLUMNS]])
    users = {u.id: u for u in session.scalars(select(User).where(User.id.in_(list(counts.agents))))}
    for user_id, agent in sorted(counts.agents.items(), key=lambda item: users[item[0]].username):
        user = users[user_id]
        ws.append([user.display_name or user.username, user.username, *[getattr(agent, c) for c in AGENT_COLUMNS]])
        _format(ws.cell(ws.max_row, 2 + len(AGENT_COLUMNS)), "occupancy")
    if not counts.agents:
        ws.append([_("No agent was staffed in this period.")])
    _widths(ws, [30, 16, 22] + [14] * (len(AGENT_COLUMNS) - 1))


def _header(ws, values: list) -> None:
    ws.append(values)
    for cell in ws[ws.max_row]:
        cell.font, cell.fill = HEADER, HEADER_FILL


def _format(cell, name: str) -> None:
    if name in CALL_RATES or name == "occupancy":
        cell.number_format = "0.0%"
    elif name.startswith("average_"):
        cell.number_format = "0.0"
