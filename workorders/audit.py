"""The audit trail of administration: who changed what, when, from what to what.

Every administrative change — users, roles, passwords, tokens, departments, categories and their
routing, policies, calendar imports, mailboxes, synonyms, and whatever later features administer —
calls `record_audit` in the same transaction as the change, so the record and the change are
committed together or not at all. Records are append-only (on PostgreSQL a trigger refuses UPDATE
and DELETE, see the migration `audit_0001`).

    from workorders.audit import record_audit, snapshot

    before = snapshot(policy, "name", "rules")
    ... change the policy ...
    record_audit(session, actor, "policy", policy.name, "update", before, snapshot(policy, "name", "rules"))

`actor` is a `workorders.context.Actor` (the signed-in user, or `Actor.system("cli")` for the
command line) or None (recorded as "system"). `entity` is a short lowercase noun ("user",
"token", "department", "category", "policy", "calendar", "mailbox", "synonym" …), `entity_id`
the entity's code, name or id as text, `action` a short verb ("create", "update", "activate",
"revoke", "import", "delete" …). `before` and `after` are JSON-serialisable dicts (or None for a
creation / a deletion); never put passwords, tokens or their hashes in them.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, ForeignKey, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from .models import Department, PersonalDataView, User, WorkOrder
from .models.base import Base

if TYPE_CHECKING:
    from .context import Actor


class AuditRecord(Base):
    """One administrative change. Never updated or deleted."""

    __tablename__ = "audit_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    actor_name: Mapped[str] = mapped_column(String(80))
    actor_role: Mapped[str] = mapped_column(String(20))
    entity: Mapped[str] = mapped_column(String(40), index=True)
    entity_id: Mapped[str] = mapped_column(String(120))
    action: Mapped[str] = mapped_column(String(40))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)


def _plain(value: Any) -> Any:
    """A JSON-friendly copy (dates as ISO text, sets as sorted lists)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, set | frozenset):
        return sorted(_plain(v) for v in value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def snapshot(obj: Any, *fields: str) -> dict[str, Any]:
    """The named attributes of `obj` as a JSON-friendly dict (for `before` / `after`)."""
    return {name: _plain(getattr(obj, name)) for name in fields}


def record_audit(
    session: Session, actor: Actor | None, entity: str, entity_id: Any, action: str,
    before: dict[str, Any] | None, after: dict[str, Any] | None, *, at: datetime | None = None,
) -> AuditRecord:
    """Append one audit record to `session` (the caller commits it with the change).

    `at` defaults to the current UTC time; pass the entry point's clock (`ctx.now`) where there is one.
    """
    record = AuditRecord(
        at=at or datetime.now(UTC),
        actor_id=actor.user_id if actor else None,
        actor_name=(actor.name if actor else "system")[:80],
        actor_role=(actor.role if actor else "system")[:20],
        entity=entity[:40],
        entity_id=str(entity_id)[:120],
        action=action[:40],
        before=_plain(before) if before is not None else None,
        after=_plain(after) if after is not None else None,
    )
    session.add(record)
    session.flush()
    return record


# --- reading the trail (admins and the office's supervisors) -------------------------------------

READERS = ("admin", "supervisor")
MAX_PAGE = 500


def recent_records(session: Session, *, entity: str | None = None, limit: int = 100,
                   offset: int = 0) -> list[AuditRecord]:
    """Newest first."""
    query = select(AuditRecord)
    if entity:
        query = query.where(AuditRecord.entity == entity)
    return list(session.scalars(query.order_by(AuditRecord.id.desc()).limit(limit).offset(offset)))


@dataclass(frozen=True)
class DataView:
    """Who saw whose personal data, when (SPEC §9: every view by a department user is logged)."""

    at: datetime
    username: str
    department: str | None
    department_name: str | None
    order_number: str
    caller_phone: str | None
    caller_name: str | None
    via: str


def recent_views(session: Session, *, limit: int = 100, offset: int = 0, username: str | None = None,
                 order_number: str | None = None) -> list[DataView]:
    query = (
        select(PersonalDataView.at, User.username, Department.code, Department.name, WorkOrder.number, WorkOrder.caller_phone,
               WorkOrder.caller_name, PersonalDataView.via)
        .join(User, User.id == PersonalDataView.user_id)
        .outerjoin(Department, Department.id == User.department_id)
        .join(WorkOrder, WorkOrder.id == PersonalDataView.order_id)
    )
    if username:
        query = query.where(User.username == username)
    if order_number:
        query = query.where(WorkOrder.number == order_number)
    rows = session.execute(query.order_by(PersonalDataView.id.desc()).limit(limit).offset(offset))
    return [DataView(*row) for row in rows]
