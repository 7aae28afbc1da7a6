"""The six GeoReport v2 methods and discovery; every refusal in the spec's error format."""
from __future__ import annotations

import re
from datetime import datetime

from flask import current_app, request, url_for
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from workorders.citizen import open311 as service_catalog
from workorders.citizen.open311 import Filing
from workorders.citizen.public_view import department_name, is_closed, scrub, shows_content
from workorders.errors import DomainError, Invalid
from workorders.models import WorkOrder
from workorders.vocabulary import DEADLINE_STATES

from .. import db
from ..portal.words import state_words
from ..runtime import domain_context, timezone
from . import bp
from .formats import errors, render

FORMATS = "<any(json, xml):fmt>"
SPEC_URL = "http://wiki.open311.org/GeoReport_v2"
# Statuses a domain refusal maps to: the spec knows 404, 403 and 400 ("any other error").
STATUSES = {404: 404, 403: 403}
ATTRIBUTE = re.compile(r"^attribute\[([^\]]+)\](\[\])?$")


def _format() -> str:
    return "xml" if request.path.endswith(".xml") else "json"


@bp.errorhandler(DomainError)
def on_domain_error(exc: DomainError):
    return errors(_format(), STATUSES.get(exc.status, 400), exc.message)


@bp.errorhandler(StaleDataError)
def on_stale(exc):
    return errors(_format(), 400, "the request changed at the same time; try again")


@bp.errorhandler(HTTPException)
def on_http_error(exc: HTTPException):
    status = exc.code if exc.code in (403, 404) else 400
    return errors(_format(), status, exc.description or exc.name)


@bp.before_request
def check_jurisdiction():
    jurisdiction = request.values.get("jurisdiction_id")
    ours = current_app.config.get("OPEN311_JURISDICTION", "12345.hotline")
    if jurisdiction and jurisdiction != ours:
        return errors(_format(), 404, f"jurisdiction_id '{jurisdiction}' was not found; this endpoint serves '{ours}'")
    return None


def _iso(value: datetime | None) -> str | None:
    return value.astimezone(timezone()).isoformat(timespec="seconds") if value else None


# --- discovery and services -------------------------------------------------------------------

@bp.get(f"/discovery.{FORMATS}")
def discovery(fmt: str):
    url = url_for("open311.services", fmt=fmt, _external=True).rsplit("/", 1)[0]
    changeset = current_app.config.get("OPEN311_CHANGESET", "2026-11-22T00:00:00+08:00")
    body = {
        "changeset": changeset,
        "contact": current_app.config.get("OPEN311_CONTACT", "12345政务服务便民热线 · 12345 Government Service Hotline"),
        "key_service": "api_keys are issued by the hotline's administrator (hotline open311 key create)",
        "endpoints": [{
            "specification": SPEC_URL, "url": url, "changeset": changeset, "type": "production",
            "formats": ["text/xml", "application/json"],
        }],
    }
    return render(fmt, "discovery", None, body)


def _service_json(service) -> dict:
    return {
        "service_code": service.code, "service_name": service.name, "description": service.description,
        "metadata": service.metadata, "type": "batch", "keywords": service.keywords,
        "group": service.category_name,
    }


@bp.get(f"/services.{FORMATS}")
def services(fmt: str):
    rows = service_catalog.services(db.session())
    return render(fmt, "services", "service", [_service_json(s) for s in rows])


@bp.get(f"/services/<code>.{FORMATS}")
def service_definition(code: str, fmt: str):
    service = service_catalog.find_service(db.session(), code)
    attributes = []
    for a in service.attributes:
        attributes.append({
            "variable": a.variable, "code": a.code, "datatype": a.datatype, "required": a.required,
            "datatype_description": a.datatype_description, "order": a.order, "description": a.description,
            "values": [{"key": key, "name": name} for key, name in a.values],
        })
    return render(fmt, "service_definition", None, {"service_code": service.code, "attributes": attributes})


# --- requests ---------------------------------------------------------------------------------

def _request_json(session, order: WorkOrder) -> dict:
    """An order as an Open311 request: no name, phone, street address or coordinates (SPEC §9)."""
    closed = is_closed(order)
    department = department_name(session, order)
    updated = order.closed_at if closed and order.closed_at else order.updated_at
    return {
        "service_request_id": order.number,
        "status": "closed" if closed else "open",
        "status_notes": state_words(order, department),
        "service_name": service_catalog.service_name_of(order),
        "service_code": service_catalog.service_code_of(order),
        "description": scrub(order.content, order)[:4000] if shows_content(order) else None,
        "agency_responsible": department,
        "service_notice": None,
        "requested_datetime": _iso(order.created_at),
        "updated_datetime": _iso(updated),
        "expected_datetime": _iso(order.due_at) if order.state in DEADLINE_STATES else None,
        # The district, never the caller's street address.
        "address": order.district or None,
        "address_id": None,
        "zipcode": None,
        "lat": None,
        "long": None,
        "media_url": None,
    }


def _posted():
    """The POSTed fields: the form, or a JSON object (anything else is a 400)."""
    if request.form:
        return request.form
    body = request.get_json(silent=True) if request.data else {}
    if body is None and request.data:
        raise Invalid("the request body is neither a form nor JSON")
    if not isinstance(body, dict):
        raise Invalid("a JSON request body must be an object of the request's fields")
    return body


def _filing() -> Filing:
    form = _posted()
    attributes: dict[str, str] = {}
    for name in form:
        match = ATTRIBUTE.match(name)
        if match:
            values = form.getlist(name) if hasattr(form, "getlist") else [form[name]]
            attributes[match.group(1)] = ",".join(str(v) for v in values)

    def get(name: str) -> str | None:
        value = form.get(name)
        return None if value is None else str(value)

    return Filing(
        service_code=get("service_code"), description=get("description"), lat=get("lat"), long=get("long"),
        address_string=get("address_string"), address_id=get("address_id"), first_name=get("first_name"),
        last_name=get("last_name"), phone=get("phone"), media_url=get("media_url"), attributes=attributes,
    )


@bp.post(f"/requests.{FORMATS}")
def create_request(fmt: str):
    session = db.session()
    ctx = domain_context(session)
    form = _posted()
    key = service_catalog.key_for(session, form.get("api_key") or request.args.get("api_key"), ctx.now)
    filed = service_catalog.file_request(ctx, key, _filing())
    session.commit()
    body = [{"token": filed.token, "service_notice": None, "account_id": None}]
    return render(fmt, "service_requests", "request", body, 201)


def _list_arg(name: str) -> list[str]:
    raw = request.args.get(name, "")
    return [part.strip() for part in raw.split(",") if part.strip()]


def _date_arg(name: str) -> datetime | None:
    raw = request.args.get(name, "").strip()
    if not raw:
        return None
    try:
        value = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise Invalid(f"{name} must be a w3c date-time such as 2026-03-01T00:00:00+08:00") from None
    if value.tzinfo is None:
        raise Invalid(f"{name} must carry a time zone (Z or ±HH:MM)")
    return value


def _optional_key(session, now):
    """The client's api_key when it sends one (it then also sees the requests it filed)."""
    raw = request.args.get("api_key")
    return service_catalog.key_for(session, raw, now) if raw is not None else None


@bp.get(f"/requests.{FORMATS}")
def list_requests(fmt: str):
    session = db.session()
    now = domain_context(session).now
    orders = service_catalog.find_orders(
        session, numbers=_list_arg("service_request_id"), service_codes=_list_arg("service_code"),
        statuses=_list_arg("status"), start=_date_arg("start_date"), end=_date_arg("end_date"), now=now,
        key=_optional_key(session, now),
    )
    return render(fmt, "service_requests", "request", [_request_json(session, o) for o in orders])


@bp.get(f"/requests/<number>.{FORMATS}")
def get_request(number: str, fmt: str):
    session = db.session()
    order = service_catalog.find_order(session, number, _optional_key(session, domain_context(session).now))
    return render(fmt, "service_requests", "request", [_request_json(session, order)])


@bp.get(f"/tokens/<token>.{FORMATS}")
def token(token: str, fmt: str):
    filed = service_catalog.request_by_token(db.session(), token)
    body = [{"service_request_id": filed.order.number, "token": filed.token}]
    return render(fmt, "service_requests", "request", body)


@bp.route("/<path:rest>", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
def unknown(rest: str):
    if request.method not in ("GET", "POST"):
        return errors(_format(), 400, f"{request.method} is not a GeoReport v2 method")
    return errors(_format(), 404, f"no such resource '{rest}'; resources end in .json or .xml")
