"""Writing in on the portal: to the hotline, or to a leader's mailbox mapped to a department.

Submissions are limited per IP address and per phone number (no CAPTCHA); the counters live in
the database like the query limits.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from workorders.context import Actor, Context
from workorders.errors import Invalid, NotFound
from workorders.intake import Created, create_order
from workorders.models import Department
from workorders.vocabulary import Channel

from . import rate_limits
from .models import Mailbox, PortalSubmission
from .phones import callback_number
from .query_limits import TooManyAttempts

# The demo city's mailboxes; `install_defaults` adds those whose department exists.
DEFAULT_MAILBOXES = [
    # code, 中文, English, kind, department
    ("mayor", "市长信箱", "Mayor's mailbox", "mayor", "hotline"),
    ("district.dongcheng", "东城区区长信箱", "Dongcheng District Head's mailbox", "district", "dongcheng"),
    ("district.xicheng", "西城区区长信箱", "Xicheng District Head's mailbox", "district", "xicheng"),
    ("district.gaoxin", "高新区主任信箱", "Gaoxin Zone Director's mailbox", "district", "gaoxin"),
    ("bureau.housing", "住建局局长信箱", "Housing Bureau Director's mailbox", "bureau", "housing"),
    ("bureau.urban", "城管局局长信箱", "Urban Management Bureau Director's mailbox", "bureau", "urban"),
    ("bureau.ecology", "生态环境局局长信箱", "Ecology Bureau Director's mailbox", "bureau", "ecology"),
    ("bureau.transport", "交通运输局局长信箱", "Transport Bureau Director's mailbox", "bureau", "transport"),
    ("bureau.education", "教育局局长信箱", "Education Bureau Director's mailbox", "bureau", "education"),
    ("bureau.hrss", "人社局局长信箱", "Human Resources Bureau Director's mailbox", "bureau", "hrss"),
]
KINDS = ("mayor", "district", "bureau")
CODE = re.compile(r"[A-Za-z0-9._-]+")
MAX_NAME = 120


@dataclass(frozen=True)
class SubmitLimits:
    per_ip: int = 10
    per_ip_window: timedelta = timedelta(hours=1)
    per_phone: int = 5
    per_phone_window: timedelta = timedelta(hours=24)


DEFAULT_SUBMIT_LIMITS = SubmitLimits()
PORTAL_FIELDS = {"type", "content", "district", "address", "caller_name", "caller_phone", "public_consent"}


def active_mailboxes(session: Session) -> list[Mailbox]:
    return list(session.scalars(
        select(Mailbox).where(Mailbox.active.is_(True)).order_by(Mailbox.position, Mailbox.id)
    ))


def all_mailboxes(session: Session) -> list[Mailbox]:
    """Open and closed, in the portal's order (the administrator's list)."""
    return list(session.scalars(select(Mailbox).order_by(Mailbox.position, Mailbox.id)))


def find_mailbox(session: Session, code: str) -> Mailbox:
    mailbox = session.scalar(select(Mailbox).where(Mailbox.code == code, Mailbox.active.is_(True)))
    if mailbox is None:
        raise NotFound("no mailbox '%(code)s'", code=code)
    return mailbox


def set_mailbox(session: Session, code: str, name_zh: str, name_en: str, kind: str,
                department_code: str, active: bool = True) -> Mailbox:
    """Create or change a mailbox (admin)."""
    if kind not in KINDS:
        raise Invalid("kind must be one of: %(mailbox_kinds)s", mailbox_kinds=list(KINDS))
    if not code or len(code) > 40 or not name_zh or not name_en:
        raise Invalid("a mailbox needs a code (at most 40 characters) and a Chinese and an English name")
    # The code travels in the portal's links (?mailbox=…): letters, digits, '.', '_', '-' only.
    if not CODE.fullmatch(code):
        raise Invalid("a mailbox code is letters, digits, '.', '_' or '-'")
    if max(len(name_zh), len(name_en)) > MAX_NAME:
        raise Invalid("a mailbox name has at most %(limit)s characters", limit=MAX_NAME)
    dept = session.scalar(select(Department).where(Department.code == department_code))
    if dept is None:
        raise Invalid("unknown department '%(code)s'", code=department_code)
    mailbox = session.scalar(select(Mailbox).where(Mailbox.code == code))
    if mailbox is None:
        position = len(session.scalars(select(Mailbox.id)).all())
        mailbox = Mailbox(code=code, position=position)
        session.add(mailbox)
    mailbox.name_zh, mailbox.name_en, mailbox.kind = name_zh, name_en, kind
    mailbox.department_id, mailbox.active = dept.id, active
    session.flush()
    return mailbox


def install_defaults(session: Session) -> str:
    have = set(session.scalars(select(Mailbox.code)))
    depts = set(session.scalars(select(Department.code)))
    added = 0
    for code, zh, en, kind, dept in DEFAULT_MAILBOXES:
        if code not in have and dept in depts:
            set_mailbox(session, code, zh, en, kind, dept)
            added += 1
    return f"mailboxes: {added} added, {len(have) + added} in all"


def submit(ctx: Context, data: dict, mailbox_code: str | None, client_ip: str,
           limits: SubmitLimits = DEFAULT_SUBMIT_LIMITS) -> Created:
    """A citizen's letter: a `new` order (web or mailbox channel) in the intake queue."""
    unknown = sorted(set(data) - PORTAL_FIELDS)
    if unknown:
        raise Invalid("unknown field(s): %(fields)s", fields=unknown)
    mailbox = find_mailbox(ctx.session, mailbox_code) if mailbox_code else None
    if (data.get("caller_phone") or "").strip():
        # One spelling, so that a phone written two ways counts once towards its limit.
        data = {**data, "caller_phone": callback_number(data["caller_phone"])}
    _count_submission(ctx, f"ip:{client_ip}", limits.per_ip, limits.per_ip_window)
    if data.get("caller_phone"):
        _count_submission(ctx, f"phone:{data['caller_phone']}", limits.per_phone, limits.per_phone_window)
    actor = Actor.system(f"portal: {mailbox.name_zh}" if mailbox else "portal")
    created = create_order(ctx, actor, data, channel=Channel.mailbox if mailbox else Channel.web)
    ctx.session.add(PortalSubmission(order_id=created.order.id, mailbox_id=mailbox.id if mailbox else None,
                                     submitted_at=ctx.now))
    ctx.session.flush()
    return created


def _count_submission(ctx: Context, client: str, limit: int, window: timedelta) -> None:
    hits = rate_limits.hit(ctx.session, rate_limits.counter_key("submit", client), ctx.now, window)
    if hits > limit:
        hours = max(1, int(window.total_seconds() // 3600))
        raise TooManyAttempts(
            "too many letters from this connection or phone number; try again within %(hours)s hours "
            "or call 12345", window, hours=hours)


def mailboxes_of(session: Session, order_ids: list[int]) -> dict[int, Mailbox]:
    """The mailbox each of these orders was addressed to (letters only), for the intake queue."""
    if not order_ids:
        return {}
    return dict(session.execute(
        select(PortalSubmission.order_id, Mailbox).join(Mailbox, PortalSubmission.mailbox_id == Mailbox.id)
        .where(PortalSubmission.order_id.in_(order_ids))
    ).all())


def mailbox_of(session: Session, order_id: int) -> Mailbox | None:
    """The mailbox an order was addressed to, for the intake desk."""
    return session.scalar(
        select(Mailbox).join(PortalSubmission, PortalSubmission.mailbox_id == Mailbox.id)
        .where(PortalSubmission.order_id == order_id)
    )
