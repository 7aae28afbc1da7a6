"""`/callcenter`: the supervisors' wallboard — the queue now, agents by presence, today's figures."""
from __future__ import annotations

from flask import render_template
from sqlalchemy import select

from workorders.callcenter.daily import counts_between, day_bounds, live_board
from workorders.callcenter.models import AgentPresence
from workorders.deadlines import local_date
from workorders.models import User

from .. import db
from ..runtime import clock, timezone
from ..web.security import browser_blueprint, roles_required
from .labels import AGENT_COLUMNS, CALL_SUMMARY, PRESENCE_LABELS, call_label, presence_label, show_call_figure

bp = browser_blueprint("callcenter", __name__, url_prefix="/callcenter")

BOARD_ROLES = ("supervisor", "leader", "admin")
# The wallboard reloads itself this often (seconds).
REFRESH_SECONDS = 10


@bp.get("/")
@roles_required(*BOARD_ROLES)
def wallboard():
    session, tz, now = db.session(), timezone(), clock().now()
    start, end = day_bounds(local_date(now, tz), tz)
    today = counts_between(session, start, end, now)
    board = live_board(session, now)
    presence = list(session.execute(
        select(AgentPresence.user_id, AgentPresence.state, AgentPresence.since).order_by(AgentPresence.user_id)))
    ids = {row.user_id for row in presence} | set(today.agents)
    names = {uid: display or username for uid, display, username
             in session.execute(select(User.id, User.display_name, User.username).where(User.id.in_(ids)))}
    return render_template(
        "call_figures/wallboard.html", board=board, today=today.as_dict(), summary=CALL_SUMMARY,
        agents=[(names.get(uid, str(uid)), today.agents.get(uid)) for uid in sorted(today.agents)],
        presence=[(names.get(uid, str(uid)), state, since) for uid, state, since in presence],
        states=list(PRESENCE_LABELS), agent_columns=AGENT_COLUMNS, call_label=call_label,
        presence_label=presence_label, show=show_call_figure, refresh=REFRESH_SECONDS,
    )
