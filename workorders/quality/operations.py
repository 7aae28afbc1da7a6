"""Quality inspection operations: the weekly sample, choosing, scoring, appealing, deciding."""
from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..context import Actor
from ..errors import Conflict, Forbidden, Invalid, NotFound
from ..models import User, WorkOrder
from ..vocabulary import Role
from .models import Inspection, InspectionMark, QualityItem

SAMPLE_PERCENT = 2.0
LONGEST_TEXT = 2000

# 话务质检 checklist as hotline offices use it: the call (greeting, listening, courtesy, closing)
# and the order (classification, content, answer). Points add up to 100.
DEFAULT_CHECKLIST = [
    ("greeting", "规范开头语", "以“您好，12345热线”开头，报工号，语气亲切。", 10),
    ("listening", "耐心倾听、准确把握诉求", "不打断来电人，复述确认诉求要点。", 15),
    ("classification", "工单分类准确", "类型、类别、区域选择正确，承办单位指派合理。", 20),
    ("content", "工单记录完整规范", "时间、地点、人物、事件、诉求五要素齐全，无错别字。", 15),
    ("answer", "答复内容正确", "依据知识库标准答案答复，政策口径准确，无误导。", 20),
    ("courtesy", "服务态度文明礼貌", "使用文明用语，不推诿、不顶撞来电人。", 10),
    ("closing", "规范结束语", "告知工单号与查询方式，礼貌道别，待来电人先挂机。", 10),
]


def week_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def checklist(session: Session) -> list[QualityItem]:
    """The active checklist items; the default checklist is installed the first time."""
    if session.scalar(select(func.count()).select_from(QualityItem)) == 0:
        for position, (code, title, guidance, points) in enumerate(DEFAULT_CHECKLIST):
            session.add(QualityItem(code=code, title=title, guidance=guidance, points=points, position=position))
        session.flush()
    return list(session.scalars(select(QualityItem).where(QualityItem.active.is_(True))
                                .order_by(QualityItem.position, QualityItem.id)))


def _require(actor: Actor, *roles: str) -> None:
    if actor.role not in roles:
        raise Forbidden("quality inspection is for the hotline office's supervisors")


def _text(value, name: str, required: bool = True) -> str | None:
    text = (value or "").strip() if isinstance(value, str) or value is None else None
    if text is None:
        raise Invalid("'%(field)s' must be text", field=name)
    if required and not text:
        raise Invalid("'%(field)s' is required", field=name)
    if len(text) > LONGEST_TEXT:
        raise Invalid("'%(field)s' is longer than %(limit)s characters", field=name, limit=LONGEST_TEXT)
    return text or None


def _local_start(day: date, tz: tzinfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=tz)


def draw_sample(session: Session, week: date, now: datetime, tz: tzinfo, percent: float = SAMPLE_PERCENT) -> int:
    """Draw the week's sample: `percent` of each agent's handled orders of that week, at least one.

    The choice is a hash of week and order id (reproducible, unbiased by time of day or number);
    an agent whose sample of the week was drawn already is skipped, so running twice adds nothing.
    """
    week = week_of(week)
    start, end = _local_start(week, tz), _local_start(week + timedelta(days=7), tz)
    done = set(session.scalars(select(Inspection.agent_id).where(Inspection.week == week,
                                                                 Inspection.source == "sample")))
    inspected = select(Inspection.order_id)
    rows = session.execute(
        select(WorkOrder.id, WorkOrder.created_by_id)
        .join(User, User.id == WorkOrder.created_by_id)
        .where(User.role == Role.agent, WorkOrder.created_at >= start, WorkOrder.created_at < end,
               WorkOrder.state != "new", WorkOrder.id.not_in(inspected))
    ).all()
    by_agent: dict[int, list[int]] = {}
    for order_id, agent_id in rows:
        if agent_id not in done:
            by_agent.setdefault(agent_id, []).append(order_id)
    drawn = 0
    for agent_id, orders in sorted(by_agent.items()):
        size = max(1, math.ceil(len(orders) * percent / 100))
        orders.sort(key=lambda i: hashlib.sha256(f"{week}:{i}".encode()).hexdigest())
        for order_id in orders[:size]:
            session.add(Inspection(order_id=order_id, agent_id=agent_id, week=week, source="sample",
                                   created_at=now))
            drawn += 1
    session.flush()
    return drawn


def choose(session: Session, actor: Actor, number: str, now: datetime, tz: tzinfo) -> Inspection:
    """A supervisor adds an order of their choice to the inspections."""
    _require(actor, Role.supervisor)
    order = session.scalar(select(WorkOrder).where(WorkOrder.number == (number or "").strip()))
    if order is None:
        raise NotFound("no order numbered '%(number)s'", number=(number or "")[:40])
    existing = session.scalar(select(Inspection).where(Inspection.order_id == order.id))
    if existing is not None:
        raise Conflict("order %(number)s is already being inspected", number=order.number)
    agent = session.get(User, order.created_by_id) if order.created_by_id else None
    if agent is None or agent.role != Role.agent:
        raise Invalid("order %(number)s was not taken by an agent: there is no one to inspect", number=order.number)
    inspection = Inspection(order=order, agent_id=agent.id, week=week_of(order.created_at.astimezone(tz).date()),
                            source="chosen", chosen_by_id=actor.user_id, created_at=now)
    session.add(inspection)
    session.flush()
    return inspection


def get(session: Session, actor: Actor, inspection_id: int) -> Inspection:
    """An inspection the actor may see: supervisors, leaders, admins all; an agent their own."""
    if actor.role not in (Role.supervisor, Role.leader, Role.admin, Role.agent):
        raise Forbidden("quality inspection is for the hotline office")
    inspection = session.get(Inspection, inspection_id)
    if inspection is None or (actor.role == Role.agent and inspection.agent_id != actor.user_id):
        raise NotFound("no inspection %(id)s", id=inspection_id)
    return inspection


def score(session: Session, actor: Actor, inspection: Inspection, points: Mapping[str, object],
          comment: str | None, now: datetime) -> Inspection:
    """Score every checklist item (0..its points); a scored inspection cannot be scored again."""
    _require(actor, Role.supervisor)
    if inspection.state != "pending":
        raise Conflict("inspection %(id)s is already scored", id=inspection.id)
    items = checklist(session)
    given: dict[int, int] = {}
    for item in items:
        raw = points.get(item.code)
        try:
            value = int(str(raw).strip())
        except (TypeError, ValueError):
            raise Invalid("give the points of '%(item)s' (0 to %(points)s)", item=item.title, points=item.points) from None
        if not 0 <= value <= item.points:
            raise Invalid("the points of '%(item)s' are 0 to %(points)s", item=item.title, points=item.points)
        given[item.id] = value
    for item in items:
        inspection.marks.append(InspectionMark(item_id=item.id, points=given[item.id]))
    possible = sum(item.points for item in items)
    inspection.score = round(100 * sum(given.values()) / possible, 1) if possible else 0.0
    inspection.comment = _text(comment, "comment", required=False)
    inspection.inspector_id, inspection.scored_at, inspection.state = actor.user_id, now, "scored"
    session.flush()
    return inspection


def appeal(session: Session, actor: Actor, inspection: Inspection, reason: str, now: datetime) -> Inspection:
    """The inspected agent appeals a score, once."""
    if actor.role != Role.agent or inspection.agent_id != actor.user_id:
        raise Forbidden("only the inspected agent may appeal")
    if inspection.appealed_at is not None:
        raise Conflict("an inspection can be appealed once; this one was appealed already")
    if inspection.state != "scored":
        raise Conflict("only a scored inspection can be appealed")
    inspection.appeal = _text(reason, "reason")
    inspection.appealed_at, inspection.state = now, "appealed"
    session.flush()
    return inspection


def decide(session: Session, actor: Actor, inspection: Inspection, final_score, note: str,
           now: datetime) -> Inspection:
    """A supervisor decides an appeal: the final score (the same or another) and why."""
    _require(actor, Role.supervisor)
    if inspection.state != "appealed":
        raise Conflict("only an appealed inspection can be decided")
    try:
        value = round(float(str(final_score).strip()), 1)
    except (TypeError, ValueError):
        raise Invalid("the final score is a number from 0 to 100") from None
    if not 0 <= value <= 100:
        raise Invalid("the final score is a number from 0 to 100")
    inspection.decision = _text(note, "note")
    inspection.final_score, inspection.decided_by_id = value, actor.user_id
    inspection.decided_at, inspection.state = now, "decided"
    session.flush()
    return inspection


@dataclass
class AgentQuality:
    agent_id: int
    name: str
    inspections: int
    average: float | None
    weekly: list[tuple[date, float]]  # (Monday, mean score) of the weeks with a score, oldest first


def agent_quality(session: Session, agent_id: int | None = None, weeks: int = 8,
                  today: date | None = None) -> list[AgentQuality]:
    """Per agent: inspections scored, the mean score (final where decided) and the weekly trend."""
    query = (select(Inspection, User).join(User, User.id == Inspection.agent_id)
             .where(Inspection.score.is_not(None)))
    if agent_id is not None:
        query = query.where(Inspection.agent_id == agent_id)
    if today is not None:
        query = query.where(Inspection.week >= week_of(today) - timedelta(weeks=weeks - 1))
    scores: dict[int, tuple[str, dict[date, list[float]]]] = {}
    for inspection, user in session.execute(query):
        name, by_week = scores.setdefault(user.id, (user.display_name or user.username, {}))
        by_week.setdefault(inspection.week, []).append(inspection.effective_score)
    out = []
    for agent, (name, by_week) in sorted(scores.items(), key=lambda item: item[1][0]):
        every = [s for values in by_week.values() for s in values]
        out.append(AgentQuality(agent, name, len(every), round(sum(every) / len(every), 1),
                                [(w, round(sum(v) / len(v), 1)) for w, v in sorted(by_week.items())]))
    return out


def inspections(session: Session, agent_id: int | None = None, state: str | None = None,
                limit: int = 200) -> list[Inspection]:
    query = select(Inspection).order_by(Inspection.week.desc(), Inspection.id.desc()).limit(limit)
    if agent_id is not None:
        query = query.where(Inspection.agent_id == agent_id)
    if state:
        query = query.where(Inspection.state == state)
    return list(session.scalars(query))


def save_item(session: Session, actor: Actor, code: str, title, guidance, points, active: bool) -> QualityItem:
    """Add a checklist item (a new code) or change one; scores already given keep their points."""
    _require(actor, Role.supervisor, Role.admin)
    code = (code or "").strip()
    if not code or len(code) > 40 or not code.replace("_", "").isalnum() or not code.isascii():
        raise Invalid("an item code is up to 40 letters, digits or '_'")
    title = _text(title, "title")
    if len(title) > 120:
        raise Invalid("'%(field)s' is longer than %(limit)s characters", field="title", limit=120)
    try:
        points = int(str(points).strip())
    except (TypeError, ValueError):
        raise Invalid("the points of an item are a whole number from 1 to 100") from None
    if not 1 <= points <= 100:
        raise Invalid("the points of an item are a whole number from 1 to 100")
    checklist(session)  # the defaults first, so that a new item joins them
    item = session.scalar(select(QualityItem).where(QualityItem.code == code))
    if item is None:
        position = session.scalar(select(func.coalesce(func.max(QualityItem.position), 0))) + 1
        item = QualityItem(code=code, position=position)
        session.add(item)
    item.title, item.guidance, item.points, item.active = title, _text(guidance, "guidance", False) or "", points, active
    session.flush()
    return item


def all_items(session: Session) -> list[QualityItem]:
    checklist(session)
    return list(session.scalars(select(QualityItem).order_by(QualityItem.position, QualityItem.id)))
