"""/api/v1/stats/assessment: each department's score and rank for a month (or any period).

Hotline staff get the ranking of the top-level departments (each with its sub-units'); a
department user gets one row, its own, ranked among its peers (SPEC §9). Rules: workorders.assessment.
"""
from __future__ import annotations

from flask import g, jsonify, request

from workorders.access import HOTLINE_ROLES
from workorders.assessment import store
from workorders.assessment.schemes import DEDUCTIONS, RATES
from workorders.assessment.score import find
from workorders.deadlines import local_date
from workorders.errors import Forbidden, Invalid
from workorders.stats import periods

from .. import db
from ..runtime import clock, timezone
from . import bp
from .openapi import document

QUERY = {"month", "period", "date", "from", "to", "scheme"}


def assessment_period(args, today) -> periods.Period:
    """`month=YYYY-MM`; or `period` around `date`; or `from`/`to`; default the last full month."""
    unknown = set(args) - QUERY
    if unknown:
        raise Invalid(f"unknown parameter(s): {', '.join(sorted(unknown))}; use {', '.join(sorted(QUERY))}")
    given = [name for name in ("month", "period", "from") if name in args]
    if len(given) > 1:
        raise Invalid("give one of 'month', 'period' (with 'date') or 'from' and 'to'")
    if "month" in args:
        return periods.parse_month(args["month"])
    if "period" in args:
        day = periods.parse_day(args["date"], "date") if args.get("date") else today
        return periods.around(args["period"], day)
    if "from" in args or "to" in args:
        return periods.between(periods.parse_day(args.get("from"), "from"), periods.parse_day(args.get("to"), "to"))
    return periods.last_full_month(today)


@bp.get("/stats/assessment")
def stats_assessment():
    session, tz, now = db.session(), timezone(), clock().now()
    period = assessment_period(request.args, local_date(now, tz))
    office = g.actor.role in HOTLINE_ROLES
    if not office and "scheme" in request.args:
        raise Forbidden("a department sees its assessment under the scheme in force only")
    if not office and g.actor.department_id is None:
        raise Forbidden("this account belongs to no department")
    scheme, tree = store.assessment(session, period, now, tz, request.args.get("scheme"))
    if office:
        rows = [store.as_json(node) for node in tree]
    else:
        own = find(tree, str(g.actor.department_id))
        rows = [store.as_json(own)] if own else []
    return jsonify({"from": period.first.isoformat(), "to": period.last.isoformat(),
                    "scheme": {"name": scheme.name, "title": scheme.title, "source": scheme.source,
                               **scheme.rules},
                    "departments": rows})


_PART = {"type": "object", "properties": {
    "value": {"type": ["number", "null"], "description": "the figure (rates 0..1)"},
    "weight": {"type": "number"}, "per": {"type": "number", "description": "points per unit deducted"},
    "points": {"type": ["number", "null"], "description": "points it adds (a deduction: negative)"}}}

document("/stats/assessment", {"get": {
    "summary": "Department assessment (考核): score and rank per department for a month or any period",
    "description": (
        "score = 100 × Σ weight·rate ÷ Σ weight (over the weighted rates with a value) minus the "
        "deductions (overdue rate and returns per 100 in percentage points, severe overdue per dispatch), "
        "at least 0. Hotline staff get the top-level departments ranked (sub-units included in their "
        "figures); a department user gets its own row, ranked among its peers. Figures: GET /stats."),
    "parameters": [
        {"name": "month", "in": "query", "schema": {"type": "string", "pattern": "^\\d{4}-\\d{2}$"},
         "description": "YYYY-MM; default the last full month"},
        {"name": "period", "in": "query", "schema": {"type": "string", "enum": list(periods.KINDS)},
         "description": "instead of month: the day … year around `date`"},
        {"name": "date", "in": "query", "schema": {"type": "string", "format": "date"}},
        {"name": "from", "in": "query", "schema": {"type": "string", "format": "date"}},
        {"name": "to", "in": "query", "schema": {"type": "string", "format": "date"}},
        {"name": "scheme", "in": "query", "schema": {"type": "string"},
         "description": "hotline staff: another scheme than the one in force"},
    ],
    "responses": {
        "200": {"description": "the ranking", "content": {"application/json": {"schema": {
            "type": "object", "properties": {
                "from": {"type": "string", "format": "date"}, "to": {"type": "string", "format": "date"},
                "scheme": {"type": "object"},
                "departments": {"type": "array", "items": {"type": "object", "properties": {
                    "department": {"type": "string", "description": "department code"},
                    "name": {"type": "string"},
                    "score": {"type": "number"}, "rank": {"type": "integer"},
                    "peers": {"type": "integer", "description": "departments ranked with it"},
                    "parts": {"type": "object", "description": f"rates {list(RATES)}, deductions {list(DEDUCTIONS)}",
                              "additionalProperties": _PART}}}}}}}}},
        "401": {"description": "no or invalid token"},
        "403": {"description": "a department asked for another scheme, or the account has no department"},
        "404": {"description": "unknown scheme"},
        "422": {"description": "bad month, period or parameter"},
    },
}})
