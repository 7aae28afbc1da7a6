"""Open311 GeoReport v2 on top of work orders: services, api keys, filing and finding requests.

A service is one order type within one top-level content category (complaint × 环保 is
`complaint-environment`), grouped by the category. A request is an order; its id is the order
number. Services are of type `batch`: filing answers with a token, and the token leads to the
order number (at once, since the order is created in the same transaction).
"""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import and_, false, or_, select
from sqlalchemy.orm import Session, selectinload

from workorders.context import Actor, Context
from workorders.errors import Forbidden, Invalid, NotFound
from workorders.intake import create_order
from workorders.models import Category, Department, WorkOrder
from workorders.vocabulary import TERMINAL_STATES, Channel, OrderType

from .models import Open311Key, Open311Request

TYPE_NAMES = {
    "consultation": ("咨询", "consultation"),
    "help": ("求助", "request for help"),
    "complaint": ("投诉", "complaint"),
    "report": ("举报", "report"),
    "suggestion": ("建议", "suggestion"),
    "praise": ("表扬", "praise"),
    "other": ("其他诉求", "other request"),
}
# Orders without a category are filed under this one in Open311.
FALLBACK_CATEGORY = ("other", "其他")
MAX_DESCRIPTION = 4000
DEFAULT_WINDOW = timedelta(days=90)
MAX_REQUESTS = 1000


@dataclass(frozen=True)
class Attribute:
    code: str
    datatype: str
    required: bool
    description: str
    order: int
    values: tuple[tuple[str, str], ...] = ()
    variable: bool = True
    datatype_description: str | None = None


@dataclass(frozen=True)
class Service:
    code: str
    type: str
    category_code: str
    category_name: str
    attributes: tuple[Attribute, ...] = field(default=())

    @property
    def name(self) -> str:
        return f"{self.category_name} · {TYPE_NAMES[self.type][0]}"

    @property
    def description(self) -> str:
        zh, en = TYPE_NAMES[self.type]
        return f"{self.category_name}类{zh}（{en}）"

    @property
    def keywords(self) -> str:
        return ", ".join([self.type, self.category_code, TYPE_NAMES[self.type][0], self.category_name])

    @property
    def metadata(self) -> bool:
        return bool(self.attributes)


def _short_district(name: str) -> str:
    """东城区人民政府 → 东城区: the form in which orders record their district."""
    return name.split("区", 1)[0] + "区" if "区" in name else name


def _attributes(session: Session, type_: str) -> tuple[Attribute, ...]:
    if type_ == OrderType.report:
        # A report is never published, so there is no consent to ask; nothing else is needed.
        return ()
    districts = session.execute(
        select(Department.code, Department.name)
        .where(Department.kind == "district", Department.active.is_(True))
        .order_by(Department.code)
    ).all()
    return (
        Attribute(
            "public_consent", "singlevaluelist", True,
            "May the request and the department's reply be published (without your name, phone "
            "or address) on the public replies board? 是否同意公开诉求与答复（不含个人信息）",
            1, (("yes", "同意公开 / yes"), ("no", "不公开 / no")),
        ),
        Attribute(
            "district", "singlevaluelist", False,
            "The district where the problem is. 问题所在区县", 2,
            tuple((code, name) for code, name in districts),
        ),
    )


def services(session: Session) -> list[Service]:
    categories = list(session.execute(
        select(Category.code, Category.name).where(Category.parent_id.is_(None)).order_by(Category.id)
    ).all())
    if FALLBACK_CATEGORY[0] not in {code for code, _ in categories}:
        categories.append(FALLBACK_CATEGORY)
    attributes = {t: _attributes(session, t) for t in OrderType}
    return [
        Service(f"{t}-{code}", str(t), code, name, attributes[t])
        for code, name in categories
        for t in OrderType
    ]


def find_service(session: Session, code: str) -> Service:
    for service in services(session):
        if service.code == code:
            return service
    raise NotFound("service_code '%(code)s' was not found; GET services lists them", code=code)


def service_code_of(order: WorkOrder) -> str:
    category = order.category
    while category is not None and category.parent is not None:
        category = category.parent
    return f"{order.type}-{category.code if category else FALLBACK_CATEGORY[0]}"


def service_name_of(order: WorkOrder) -> str:
    category = order.category
    while category is not None and category.parent is not None:
        category = category.parent
    name = category.name if category else FALLBACK_CATEGORY[1]
    return f"{name} · {TYPE_NAMES[order.type][0]}"


# --- api keys ------------------------------------------------------------------------------------

def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def issue_key(session: Session, name: str, now: datetime) -> str:
    name = (name or "").strip()
    if not name or len(name) > 80:
        raise Invalid("an Open311 key needs a name of 1–80 characters (who uses it)")
    key = secrets.token_urlsafe(32)
    session.add(Open311Key(name=name, key_hash=_digest(key), created_at=now, revoked=False))
    session.flush()
    return key


def key_for(session: Session, raw: str | None, now: datetime) -> Open311Key:
    if not raw or not raw.strip():
        raise Forbidden("api_key is missing: filing a request needs the api_key the hotline issued")
    key = session.scalar(
        select(Open311Key).where(Open311Key.key_hash == _digest(raw.strip()), Open311Key.revoked.is_(False))
    )
    if key is None:
        raise Forbidden("invalid api_key: it is unknown or was revoked")
    key.last_used_at = now
    return key


# --- filing --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Filing:
    """The fields of a POST, already split out of the form."""

    service_code: str | None
    description: str | None = None
    lat: str | None = None
    long: str | None = None
    address_string: str | None = None
    address_id: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    phone: str | None = None
    media_url: str | None = None
    attributes: dict[str, str] = field(default_factory=dict)


def _coordinate(value: str | None, name: str, limit: float) -> float | None:
    if value is None or not value.strip():
        return None
    try:
        number = float(value)
    except ValueError:
        raise Invalid("'%(field)s' must be a number (WGS84 degrees)", field=name) from None
    if not -limit <= number <= limit:
        raise Invalid("'%(field)s' must be between -%(limit)s and %(limit)s", field=name, limit=f"{limit:g}")
    return number


def file_request(ctx: Context, key: Open311Key, filing: Filing) -> Open311Request:
    """Create a `new` order in the intake queue from an Open311 POST."""
    if not filing.service_code:
        raise Invalid("service_code was not provided")
    service = find_service(ctx.session, filing.service_code)
    lat = _coordinate(filing.lat, "lat", 90)
    long = _coordinate(filing.long, "long", 180)
    if (lat is None) != (long is None):
        raise Invalid("lat and long must be sent together")
    if lat is None and not (filing.address_string or "").strip() and not (filing.address_id or "").strip():
        raise Invalid("a location is required: lat and long, or address_string, or address_id")
    if filing.description and len(filing.description) > MAX_DESCRIPTION:
        raise Invalid("description is limited to %(limit)s characters", limit=MAX_DESCRIPTION)
    data = _order_fields(ctx.session, service, filing)
    actor = Actor.system(f"Open311: {key.name}"[:80])
    created = create_order(ctx, actor, data, channel=Channel.open311)
    request = Open311Request(
        order_id=created.order.id, token=secrets.token_urlsafe(16), key_id=key.id,
        service_code=service.code, lat=lat, long=long,
        address_id=(filing.address_id or "").strip()[:80] or None,
        media_url=(filing.media_url or "").strip()[:500] or None, created_at=ctx.now,
    )
    ctx.session.add(request)
    if request.media_url:  # kept as a link attachment; the server never fetches it
        from ..attachments.operations import attach_link

        attach_link(ctx, created.order, request.media_url, "open311")
    ctx.session.flush()
    return request


def _full_name(first: str | None, last: str | None) -> str:
    """欧阳 + 娜娜 → 欧阳娜娜 (family name first, no space); John + Smith → John Smith."""
    first, last = (first or "").strip(), (last or "").strip()
    if any(c.isascii() and c.isalpha() for c in first + last):
        return " ".join(p for p in (first, last) if p)
    return last + first


def _order_fields(session: Session, service: Service, filing: Filing) -> dict:
    if not (filing.description or "").strip():
        raise Invalid("description is required: say what the problem is")
    data: dict = {"type": service.type, "content": filing.description}
    if session.scalar(select(Category.id).where(Category.code == service.category_code)):
        data["category"] = service.category_code
    name = _full_name(filing.first_name, filing.last_name)
    if name:
        data["caller_name"] = name[:80]
    if filing.phone and filing.phone.strip():
        data["caller_phone"] = filing.phone.strip()
    if filing.address_string and filing.address_string.strip():
        data["address"] = filing.address_string.strip()[:255]
    known = {a.code: a for a in service.attributes}
    unknown = sorted(set(filing.attributes) - set(known))
    if unknown:
        raise Invalid("unknown attribute(s) for %(service)s: %(names)s", service=service.code, names=unknown)
    for attribute in service.attributes:
        value = filing.attributes.get(attribute.code)
        if value is None or value == "":
            if attribute.required:
                raise Invalid("attribute[%(name)s] is required for %(service)s", name=attribute.code, service=service.code)
            continue
        allowed = dict(attribute.values)
        if value not in allowed:
            raise Invalid("attribute[%(name)s] must be one of: %(choices)s", name=attribute.code, choices=list(allowed))
        if attribute.code == "public_consent":
            data["public_consent"] = value == "yes"
        elif attribute.code == "district":
            data["district"] = _short_district(allowed[value])
    return data


# --- finding -------------------------------------------------------------------------------------

def request_by_token(session: Session, token: str) -> Open311Request:
    request = session.scalar(select(Open311Request).where(Open311Request.token == token))
    if request is None:
        raise NotFound("token '%(token)s' was not found", token=token)
    return request


def _loaded():
    return select(WorkOrder).options(selectinload(WorkOrder.category), selectinload(WorkOrder.department))


def public_clause(key: Open311Key | None = None):
    """Orders anyone may see through Open311 — what the portal may show publicly: the citizen
    consented, not confidential, not a report (SPEC §9) — and, for a client that sends its
    api_key, the requests it filed itself."""
    public = and_(WorkOrder.public_consent.is_(True), WorkOrder.confidential.is_(False),
                  WorkOrder.type != "report")
    if key is None:
        return public
    return or_(public, WorkOrder.id.in_(select(Open311Request.order_id).where(Open311Request.key_id == key.id)))


def find_order(session: Session, number: str, key: Open311Key | None = None) -> WorkOrder:
    """One request; an order that is not public answers like an unknown one."""
    order = session.scalar(_loaded().where(WorkOrder.number == number, public_clause(key)))
    if order is None:
        raise NotFound("service_request_id '%(number)s' was not found", number=number)
    return order


def find_orders(
    session: Session, *, numbers: list[str] | None = None, service_codes: list[str] | None = None,
    statuses: list[str] | None = None, start: datetime | None = None, end: datetime | None = None,
    now: datetime, key: Open311Key | None = None,
) -> list[WorkOrder]:
    """GET requests: by ids (overrides everything else), or by service, status and a window of
    at most 90 days (the last 90 by default); newest first, at most 1,000."""
    if numbers:
        rows = session.scalars(_loaded().where(WorkOrder.number.in_(numbers[:MAX_REQUESTS]), public_clause(key)))
        by_number = {o.number: o for o in rows}
        return [by_number[n] for n in dict.fromkeys(numbers) if n in by_number]
    if start is None and end is None:
        end = now
    if end is None:
        end = start + DEFAULT_WINDOW
    if start is None:
        start = end - DEFAULT_WINDOW
    if start > end:
        raise Invalid("start_date is after end_date")
    if end - start > DEFAULT_WINDOW:
        raise Invalid("start_date and end_date may not span more than 90 days")
    query = _loaded().where(WorkOrder.created_at >= start, WorkOrder.created_at <= end, public_clause(key))
    if statuses:
        bad = sorted(set(statuses) - {"open", "closed"})
        if bad:
            raise Invalid("status must be open or closed, not %(statuses)s", statuses=bad)
        if set(statuses) == {"open"}:
            query = query.where(WorkOrder.state.not_in(list(TERMINAL_STATES)))
        elif set(statuses) == {"closed"}:
            query = query.where(WorkOrder.state.in_(list(TERMINAL_STATES)))
    if service_codes:
        query = query.where(_service_clause(session, service_codes))
    query = query.order_by(WorkOrder.created_at.desc(), WorkOrder.id.desc()).limit(MAX_REQUESTS)
    return list(session.scalars(query))


def _service_clause(session: Session, codes: list[str]):
    """Orders of these services: type plus top-level category (or its sub-categories)."""
    tree = session.execute(select(Category.id, Category.code, Category.parent_id)).all()
    by_code = {code: cid for cid, code, _ in tree}
    children: dict[int | None, list[int]] = {}
    for cid, _, parent in tree:
        children.setdefault(parent, []).append(cid)
    clauses = []
    for code in codes:
        type_, _, category = code.partition("-")
        if type_ not in OrderType.__members__ or not category:
            continue
        if category not in by_code:
            if category == FALLBACK_CATEGORY[0]:
                clauses.append(and_(WorkOrder.type == type_, WorkOrder.category_id.is_(None)))
            continue
        ids, todo = [], [by_code[category]]
        while todo:
            current = todo.pop()
            ids.append(current)
            todo.extend(children.get(current, []))
        clause = WorkOrder.category_id.in_(ids)
        if category == FALLBACK_CATEGORY[0]:
            clause = or_(clause, WorkOrder.category_id.is_(None))
        clauses.append(and_(WorkOrder.type == type_, clause))
    return or_(*clauses) if clauses else false()


def keys(session: Session) -> list[Open311Key]:
    return list(session.scalars(select(Open311Key).order_by(Open311Key.created_at.desc(), Open311Key.id.desc())))


def revoke_key(session: Session, key_id: int) -> Open311Key:
    key = session.get(Open311Key, key_id)
    if key is None:
        raise NotFound("no Open311 key %(id)s", id=key_id)
    key.revoked = True
    session.flush()
    return key
