"""/api/v1/stats: the figures of SPEC §7 for a period and a grouping; /api/v1/stats/hotspots.

Hotline staff see every grouping; a department user sees the department grouping only, limited
to its own department and sub-units (SPEC §9). Definitions: `workorders.stats`.
"""
from __future__ import annotations

from datetime import datetime

from flask import g, jsonify, request

from workorders.access import HOTLINE_ROLES, department_scope
from workorders.deadlines import local_date
from workorders.errors import Forbidden, Invalid
from workorders.stats import figures, hotspots, periods
from workorders.stats.figures import Report
from workorders.vocabulary import Role

from .. import db
from ..runtime import clock, timezone
from . import bp
from .openapi import document

QUERY = {"from", "to", "group", "period", "date"}


def _iso(t: datetime | None, tz) -> str | None:
    return None if t is None else t.astimezone(tz).isoformat()


def read_period(args, today) -> periods.Period:
    """`from` and `to` (dates, both included), or `period` (day … year) around `date` (default today)."""
    unknown = set(args) - QUERY
    if unknown:
        raise Invalid(f"unknown parameter(s): {', '.join(sorted(unknown))}; use {', '.join(sorted(QUERY))}")
    if "period" in args:
        if "from" in args or "to" in args:
            raise Invalid("give either 'period' (with an optional 'date') or 'from' and 'to', not both")
        day = periods.parse_day(args["date"], "date") if args.get("date") else today
        return periods.around(args["period"], day)
    return periods.between(periods.parse_day(args.get("from"), "from"), periods.parse_day(args.get("to"), "to"))


def report_json(report: Report, tz) -> dict:
    return {
        "from": report.period.first.isoformat(),
        "to": report.period.last.isoformat(),
        "group": report.group,
        "as_of": _iso(report.as_of, tz),
        "rolled_up_at": _iso(report.refreshed_at, tz),
        "total": report.total.as_dict(),
        "rows": [{"key": row.code, "name": row.name, "parent_key": _parent_code(report, row), "depth": row.depth,
                  **row.figures.as_dict()} for row in report.rows],
    }


def _parent_code(report: Report, row) -> str | None:
    parent = report.row(row.parent) if row.parent is not None else None
    return parent.code if parent else None


@bp.get("/stats")
def stats():
    session, tz, now = db.session(), timezone(), clock().now()
    period = read_period(request.args, local_date(now, tz))
    group = figures.check_group(request.args.get("group", "all"))
    only = None
    if g.actor.role not in HOTLINE_ROLES:
        if group not in ("department", "all"):
            raise Forbidden("a department sees its own figures only: use group=department")
        if g.actor.department_id is None:
            raise Forbidden("this account belongs to no department")
        only = department_scope(session, g.actor.department_id)
        group = "department"
    return jsonify(report_json(figures.report(session, period, group, now, tz, only), tz))


@bp.get("/stats/hotspots")
def stats_hotspots():
    if g.actor.role == Role.department:
        raise Forbidden("hot-spot warnings are for the hotline office")
    session, tz, now = db.session(), timezone(), clock().now()
    unknown = set(request.args) - {"date", "all"}
    if unknown:
        raise Invalid(f"unknown parameter(s): {', '.join(sorted(unknown))}; use date, all")
    today = periods.parse_day(request.args["date"], "date") if request.args.get("date") else local_date(now, tz)
    everything = request.args.get("all") in ("1", "true")
    volumes = ([v for dim in hotspots.DIMENSIONS for v in hotspots.volumes(session, today, dim)]
               if everything else hotspots.hotspots(session, today))
    return jsonify({
        "date": today.isoformat(),
        "rule": f"z >= {hotspots.Z_THRESHOLD} and count >= {hotspots.MIN_COUNT}",
        "hotspots": [{
            "dimension": v.dimension,
            "key": v.key if v.dimension == "district" else _category_code(session, v.key),
            "name": v.name, "count": v.count, "weekly": list(v.weekly), "mean": v.mean, "spread": v.spread,
            "z": v.z, "flagged": v.flagged, "from": v.first.isoformat(), "to": v.last.isoformat(),
            "orders": [o["number"] for o in hotspots.orders_behind(session, v, tz)] if v.flagged else [],
        } for v in volumes],
    })


def _category_code(session, key: str) -> str:
    from workorders.models import Category

    category = session.get(Category, int(key))
    return category.code if category else key


# --- OpenAPI ----------------------------------------------------------------------------------

_RATE = {"type": ["number", "null"], "description": "0..1; null when its denominator is 0"}
_FIGURES = {"type": "object", "properties": {
    **{name: {"type": "integer"} for name in (
        "received", "invalid", "merged", "valid_received", "answered", "dispatched", "replied",
        "replied_on_time", "replied_late", "held", "held_past_due", "overdue", "severe_overdue", "returns",
        "closed_unreplied", "callbacks_reached", "satisfied", "basically_satisfied", "dissatisfied",
        "resolved", "unreachable")},
    **{name: _RATE for name in (
        "direct_answer_rate", "reply_rate", "on_time_rate", "overdue_rate", "resolution_rate",
        "satisfaction_rate")},
    "returns_per_100": {"type": ["number", "null"]},
    "average_reply_days": {"type": ["number", "null"], "description": "mean days (24 h) from dispatch to reply"},
}}
_ERRORS = {
    "401": {"description": "no or invalid token"},
    "403": {"description": "a department asked for another grouping than its own departments"},
    "422": {"description": "impossible period (from after to, bad date), unknown group or parameter",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
}

document("/stats", {"get": {
    "summary": "Figures of SPEC §7 for a period, grouped (definitions: workorders/stats/__init__.py)",
    "description": (
        "Intake figures count the orders created in the period; handling figures the dispatches made "
        "in it (each re-dispatch counts), with what became of them as of now; callback figures the "
        "callbacks made in it (unreachable ones excluded from the rates). Department and category rows "
        "include their sub-units. A department user gets group=department, its own departments only."),
    "parameters": [
        {"name": "from", "in": "query", "schema": {"type": "string", "format": "date"},
         "description": "first local date (with `to`)"},
        {"name": "to", "in": "query", "schema": {"type": "string", "format": "date"},
         "description": "last local date, included"},
        {"name": "period", "in": "query", "schema": {"type": "string", "enum": list(periods.KINDS)},
         "description": "instead of from/to: the day, week, month, quarter or year around `date`"},
        {"name": "date", "in": "query", "schema": {"type": "string", "format": "date"},
         "description": "with `period`; default today"},
        {"name": "group", "in": "query", "schema": {"type": "string", "enum": list(figures.GROUPS), "default": "all"}},
    ],
    "responses": {
        "200": {"description": "the figures", "content": {"application/json": {"schema": {
            "type": "object", "properties": {
                "from": {"type": "string", "format": "date"}, "to": {"type": "string", "format": "date"},
                "group": {"type": "string"}, "as_of": {"type": "string", "format": "date-time"},
                "rolled_up_at": {"type": ["string", "null"], "format": "date-time"},
                "total": _FIGURES,
                "rows": {"type": "array", "items": {"allOf": [_FIGURES, {"type": "object", "properties": {
                    "key": {"type": "string", "description": "department/category/type/channel code, district; '' for none"},
                    "name": {"type": "string"}, "parent_key": {"type": ["string", "null"]},
                    "depth": {"type": "integer"}}}]}},
            }}}}},
        **_ERRORS,
    },
}})

document("/stats/hotspots", {"get": {
    "summary": "Hot-spot warnings: categories and districts whose last 7 days are far above the 8 weeks before",
    "description": "z = (count - mean) / max(sd, sqrt(mean), 1) over the 8 previous weekly counts; "
                   "flagged when z >= 3 and count >= 10. Hotline staff only.",
    "parameters": [
        {"name": "date", "in": "query", "schema": {"type": "string", "format": "date"},
         "description": "the last day of the 7 counted; default today"},
        {"name": "all", "in": "query", "schema": {"type": "boolean"}, "description": "every group, flagged or not"},
    ],
    "responses": {"200": {"description": "flagged groups with the numbers of the orders behind them"}, **_ERRORS},
}})
