"""Tables of the citizen side: mailboxes, rate-limit counters, public replies, Open311 keys."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workorders.models import Base, Department, WorkOrder


class Mailbox(Base):
    """A leader's mailbox (市长信箱, 区长信箱, 局长信箱); letters to it go to its department."""

    __tablename__ = "portal_mailboxes"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name_zh: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(20))  # mayor / district / bureau
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    position: Mapped[int] = mapped_column(Integer, default=0)

    department: Mapped[Department] = relationship()


class PortalSubmission(Base):
    """An order written on the portal, and the mailbox it was addressed to (none: the hotline)."""

    __tablename__ = "portal_submissions"

    order_id: Mapped[int] = mapped_column(ForeignKey("work_orders.id"), primary_key=True)
    mailbox_id: Mapped[int | None] = mapped_column(ForeignKey("portal_mailboxes.id"), index=True)
    submitted_at: Mapped[datetime]

    order: Mapped[WorkOrder] = relationship()
    mailbox: Mapped[Mailbox | None] = relationship()


class RateCounter(Base):
    """Hits on one key (an order number, an IP, a phone) in the current fixed window.

    Kept in the database so that a limit holds across every web process and the IVR alike; the
    key is a digest, so neither IPs nor phone numbers are stored here.
    """

    __tablename__ = "citizen_rate_counters"

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    window_started_at: Mapped[datetime] = mapped_column(index=True)
    hits: Mapped[int] = mapped_column(Integer)


class Publication(Base):
    """A supervisor's decision to show (or not) an archived order's reply on the public board.

    The public texts are stored here, scrubbed of personal data and possibly edited further by
    the supervisor; the order itself is never changed by publication.
    """

    __tablename__ = "public_replies"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("work_orders.id"), unique=True)
    approved: Mapped[bool] = mapped_column(Boolean)
    public_content: Mapped[str] = mapped_column(Text, default="")
    public_reply: Mapped[str] = mapped_column(Text, default="")
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime] = mapped_column(index=True)
    note: Mapped[str] = mapped_column(String(255), default="")

    order: Mapped[WorkOrder] = relationship()


class Rating(Base):
    """The citizen's own rating of a published reply; low ones wait for a supervisor's review."""

    __tablename__ = "public_reply_ratings"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("work_orders.id"), unique=True)
    stars: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str] = mapped_column(Text, default="")
    rated_at: Mapped[datetime]
    reviewed_at: Mapped[datetime | None] = mapped_column(index=True)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    review_note: Mapped[str] = mapped_column(String(255), default="")

    order: Mapped[WorkOrder] = relationship()


class Open311Key(Base):
    """An Open311 client's api_key; only its SHA-256 is kept, the key is shown once."""

    __tablename__ = "open311_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]
    last_used_at: Mapped[datetime | None]
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)


class Open311Request(Base):
    """An order filed through Open311: its token, the client that filed it, its location."""

    __tablename__ = "open311_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("work_orders.id"), unique=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    key_id: Mapped[int] = mapped_column(ForeignKey("open311_keys.id"), index=True)
    service_code: Mapped[str] = mapped_column(String(80))
    # Where the problem is, as the client sent it; never published (it may be a home).
    lat: Mapped[float | None] = mapped_column(Float)
    long: Mapped[float | None] = mapped_column(Float)
    address_id: Mapped[str | None] = mapped_column(String(80))
    media_url: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime]

    order: Mapped[WorkOrder] = relationship()
    key: Mapped[Open311Key] = relationship()
