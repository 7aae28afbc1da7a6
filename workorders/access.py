"""Who may see what (SPEC §9): department scope and the masking of personal data."""
from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from .context import Actor
from .errors import Forbidden
from .models import Department, OrderAssignment, WorkOrder
from .vocabulary import OrderType, Role

HOTLINE_ROLES = frozenset({Role.agent, Role.supervisor, Role.leader, Role.admin, Role.system})


def department_scope(session: Session, department_id: int) -> set[int]:
    """A department and all its sub-units (a district sees its streets' orders)."""
    children: dict[int | None, list[int]] = {}
    for dept_id, parent_id in session.execute(select(Department.id, Department.parent_id)):
        children.setdefault(parent_id, []).append(dept_id)
    scope, todo = set(), [department_id]
    while todo:
        current = todo.pop()
        if current not in scope:
            scope.add(current)
            todo.extend(children.get(current, []))
    return scope


def visible_filter(session: Session, actor: Actor):
    """A WHERE clause limiting orders to those the actor may see; None means all."""
    if actor.role in HOTLINE_ROLES:
        return None
    if actor.department_id is None:
        return WorkOrder.id.is_(None)
    scope = department_scope(session, actor.department_id)
    co = select(OrderAssignment.order_id).where(OrderAssignment.department_id.in_(scope))
    return or_(WorkOrder.department_id.in_(scope), WorkOrder.id.in_(co))


def can_see(session: Session, actor: Actor, order: WorkOrder) -> bool:
    if actor.role in HOTLINE_ROLES:
        return True
    if actor.department_id is None:
        return False
    scope = department_scope(session, actor.department_id)
    assigned = {order.department_id, *(a.department_id for a in order.assignments)}
    return bool(scope & assigned)


def ensure_visible(session: Session, actor: Actor, order: WorkOrder) -> None:
    if not can_see(session, actor, order):
        raise Forbidden("order %(number)s belongs to another department", number=order.number)


def reveals_personal_data(actor: Actor, order: WorkOrder) -> bool:
    """Hotline staff see callers; departments only for non-confidential, non-report orders."""
    if actor.role in HOTLINE_ROLES:
        return True
    return not order.confidential and order.type != OrderType.report


def mask_phone(phone: str | None) -> str | None:
    if not phone:
        return phone
    digits = phone.strip()
    if len(digits) <= 7:
        return "*" * len(digits)
    return f"{digits[:3]}****{digits[-4:]}"


def mask_name(name: str | None) -> str | None:
    if not name:
        return name
    return name[0] + "*" * max(1, len(name) - 1)
