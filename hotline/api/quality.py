"""/api/v1/quality/inspections: quality inspections as JSON — an agent's own, or all for the office.

Department users are refused (403): inspection is the hotline office's business.
"""
from __future__ import annotations

from flask import g, jsonify, request

from workorders.errors import Forbidden, Invalid
from workorders.quality import operations

from .. import db
from ..runtime import timezone
from . import bp
from .openapi import document

STATES = ("pending", "scored", "appealed", "decided")


@bp.get("/quality/inspections")
def quality_inspections():
    actor = g.actor
    if actor.role not in ("agent", "supervisor", "leader", "admin"):
        raise Forbidden("quality inspection is for the hotline office")
    unknown = set(request.args) - {"state"}
    if unknown:
        raise Invalid(f"unknown parameter(s): {', '.join(sorted(unknown))}; use state")
    state = request.args.get("state")
    if state is not None and state not in STATES:
        raise Invalid(f"unknown state '{state[:20]}'; states are: {', '.join(STATES)}")
    session, tz = db.session(), timezone()
    own = actor.user_id if actor.role == "agent" else None
    found = operations.inspections(session, agent_id=own, state=state)
    return jsonify({"inspections": [{
        "id": i.id, "order": i.order.number, "agent": i.agent.username, "week": i.week.isoformat(),
        "source": i.source, "state": i.state, "score": i.score, "final_score": i.final_score,
        "scored_at": i.scored_at.astimezone(tz).isoformat() if i.scored_at else None,
        "appealed": i.appealed_at is not None,
    } for i in found], "agents": [{
        "agent_id": q.agent_id, "name": q.name, "inspections": q.inspections, "average": q.average,
        "weekly": [{"week": w.isoformat(), "score": s} for w, s in q.weekly],
    } for q in operations.agent_quality(session, agent_id=own)]})


document("/quality/inspections", {"get": {
    "summary": "Quality inspections (质检): an agent's own, or every agent's for supervisors, leaders, admins",
    "parameters": [{"name": "state", "in": "query", "schema": {"type": "string", "enum": list(STATES)}}],
    "responses": {
        "200": {"description": "inspections (newest week first) and each agent's mean score and weekly trend"},
        "401": {"description": "no or invalid token"},
        "403": {"description": "a department user"},
        "422": {"description": "unknown parameter or state"},
    },
}})
