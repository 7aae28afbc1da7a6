"""GET /api/v1/jobs/runs: the scheduler's run history and lease, for administrators."""
from __future__ import annotations

from flask import Blueprint, current_app, g, jsonify, request
from werkzeug.exceptions import HTTPException

from workorders.errors import DomainError, Forbidden, Invalid
from workorders.jobs import history, lease
from workorders.vocabulary import Role

from .. import db
from ..runtime import timezone
from . import ApiError, authenticate, on_api_error, on_domain_error, on_http_error
from .openapi import document
from .serialize import iso

# Its own blueprint under the API's prefix, with the API's token check and error bodies, so the
# scheduler package registers it from its own init_app whatever the order of the others.
bp = Blueprint("api_jobs", __name__, url_prefix="/api/v1")
bp.before_request(authenticate)
bp.register_error_handler(ApiError, on_api_error)
bp.register_error_handler(DomainError, on_domain_error)
bp.register_error_handler(HTTPException, on_http_error)

FILTERS = {"job", "limit", "failed"}


@bp.get("/jobs/runs")
def job_runs():
    if g.actor.role != Role.admin:
        raise Forbidden("only administrators see the scheduler's job runs")
    args = request.args
    unknown = sorted(set(args) - FILTERS)
    if unknown:
        raise Invalid(f"unknown filter(s): {', '.join(unknown)}; filters are: {', '.join(sorted(FILTERS))}")
    names = list(current_app.extensions["hotline.jobs"])
    job = args.get("job")
    if job is not None and job not in names:
        raise Invalid(f"'job' must be one of: {', '.join(names)}")
    limit = args.get("limit", "50")
    if not (limit.isascii() and limit.isdigit()) or not 1 <= int(limit) <= 500:
        raise Invalid("'limit' must be a whole number from 1 to 500")
    failed = args.get("failed", "false").lower()
    if failed not in ("true", "false"):
        raise Invalid("'failed' must be true or false")
    session = db.session()
    tz = timezone()
    runs = history.recent_runs(session, job, int(limit), failed_only=failed == "true")
    holder = lease.current(session)
    return jsonify({
        "jobs": names,
        "lease": {
            "owner": holder.owner if holder else None,
            "acquired_at": iso(holder.acquired_at, tz) if holder else None,
            "renewed_at": iso(holder.renewed_at, tz) if holder else None,
            "expires_at": iso(holder.expires_at, tz) if holder else None,
        },
        "runs": [{
            "id": run.id, "job": run.job, "owner": run.owner, "as_of": iso(run.as_of, tz),
            "started_at": iso(run.started_at, tz), "finished_at": iso(run.finished_at, tz),
            "duration_ms": run.duration_ms, "rows": run.rows, "error": run.error, "note": run.note,
        } for run in runs],
    })


_RUN = {"type": "object", "properties": {
    "id": {"type": "integer"}, "job": {"type": "string"}, "owner": {"type": "string"},
    "as_of": {"type": "string", "format": "date-time", "description": "the hotline clock the job ran as of"},
    "started_at": {"type": "string", "format": "date-time"},
    "finished_at": {"type": ["string", "null"], "format": "date-time",
                    "description": "null while running, or when the process died during the run"},
    "duration_ms": {"type": ["integer", "null"]}, "rows": {"type": ["integer", "null"]},
    "error": {"type": ["string", "null"]}, "note": {"type": ["string", "null"]},
}}

document("/jobs/runs", {"get": {
    "summary": "Scheduled job runs, newest first, and who holds the scheduler lease (admins only)",
    "parameters": [
        {"name": "job", "in": "query", "schema": {"type": "string"}, "description": "one job's runs"},
        {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 500, "default": 50}},
        {"name": "failed", "in": "query", "schema": {"type": "boolean", "default": False},
         "description": "only runs that ended with an error"},
    ],
    "responses": {
        "200": {"description": "runs and lease", "content": {"application/json": {"schema": {
            "type": "object", "properties": {
                "jobs": {"type": "array", "items": {"type": "string"}},
                "lease": {"type": "object"},
                "runs": {"type": "array", "items": _RUN},
            }}}}},
        "401": {"description": "no or invalid token"},
        "403": {"description": "not an administrator"},
        "422": {"description": "unknown filter or job, bad limit"},
    },
}})
