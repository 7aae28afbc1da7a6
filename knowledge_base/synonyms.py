"""Synonym groups (医保 医疗保险 …) that widen a query; supervisors keep the list."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from workorders.audit import record_audit
from workorders.context import Actor
from workorders.errors import Forbidden, Invalid, NotFound
from workorders.vocabulary import Role

from . import index
from .models import SynonymGroup
from .text import normalize

MAX_MEMBERS = 20
MAX_MEMBER = 30


def groups(session: Session) -> list[SynonymGroup]:
    return list(session.scalars(select(SynonymGroup).order_by(SynonymGroup.id)))


def add_group(session: Session, actor: Actor, terms, now: datetime) -> SynonymGroup:
    _supervisor(actor)
    if not isinstance(terms, list) or not all(isinstance(t, str) for t in terms):
        raise Invalid("'terms' must be a list of words")
    members = list(dict.fromkeys(normalize(t).strip() for t in terms if t.strip()))
    if len(members) < 2:
        raise Invalid("a synonym group needs at least two different words")
    if len(members) > MAX_MEMBERS or any(len(m) > MAX_MEMBER or " " in m for m in members):
        raise Invalid("at most %(words)s words of at most %(characters)s characters, without spaces",
                      words=MAX_MEMBERS, characters=MAX_MEMBER)
    group = SynonymGroup(terms=" ".join(members))
    session.add(group)
    session.flush()
    record_audit(session, actor, "synonym", group.id, "create", None, {"terms": members}, at=now)
    index.touch(session, now)
    return group


def delete_group(session: Session, actor: Actor, group_id: int, now: datetime) -> None:
    _supervisor(actor)
    group = session.get(SynonymGroup, group_id)
    if group is None:
        raise NotFound("no synonym group %(id)s", id=group_id)
    record_audit(session, actor, "synonym", group.id, "delete", {"terms": group.terms.split()}, None, at=now)
    session.delete(group)
    session.flush()
    index.touch(session, now)


def _supervisor(actor: Actor) -> None:
    if actor.role not in (Role.supervisor, Role.system):
        raise Forbidden("only a supervisor edits the synonym list")
