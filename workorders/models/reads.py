"""What a department has read of an order (issue 13: unread instructions, urges, supervision)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base


class OrderRead(Base):
    """The last event of an order a department had on screen; later marked events are unread."""

    __tablename__ = "order_reads"
    __table_args__ = (UniqueConstraint("order_id", "department_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("work_orders.id"), index=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))
    seen_seq: Mapped[int] = mapped_column(Integer)
    seen_at: Mapped[datetime]
