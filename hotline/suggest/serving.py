"""The suggestions one request asks for: the newest model, the codes turned into names."""
from __future__ import annotations

from datetime import datetime

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from workorders.models import Category, Department, WorkOrder
from workorders.suggest import quality
from workorders.suggest.features import split_order
from workorders.suggest.learner import Suggestion
from workorders.suggest.serving import Served

from ..i18n import label

# Longer texts are cut: the opening of a letter decides its category, and a keystroke stays cheap.
MAX_TEXT = 2000


def served(session: Session) -> Served | None:
    return current_app.extensions["hotline.suggest_cache"].current(session)


def suggestions_for(session: Session, text: str) -> tuple[Served | None, list[Suggestion]]:
    model = served(session)
    text = (text or "")[:MAX_TEXT]
    if model is None or not text.strip():
        return model, []
    return model, model.learner.suggest(*split_order(text))


def to_json(session: Session, model: Served | None, suggestions: list[Suggestion]) -> dict:
    """What the desk shows: each suggestion's category, department and type by name, with confidences;
    `preselect` is the department the dispatch form takes, if the best one is confident enough."""
    threshold = current_app.config["SUGGEST_THRESHOLD"]
    codes = {s.category.code for s in suggestions}
    categories = {c.code: c for c in session.scalars(select(Category).where(Category.code.in_(codes)))}
    wanted = {s.department.code for s in suggestions if s.department}
    wanted |= {c.default_department.code for c in categories.values() if c.default_department}
    names = dict(session.execute(select(Department.code, Department.name).where(Department.code.in_(wanted))).all())
    out = []
    for s in suggestions:
        category = categories.get(s.category.code)
        if category is None:  # deleted since the model was trained
            continue
        if s.department and s.department.code in names:
            department, confidence = s.department.code, s.department.confidence
        elif category.default_department:  # never dispatched with this category: the routing table
            department, confidence = category.default_department.code, s.category.confidence
        else:
            department, confidence = None, None
        out.append({
            "category": category.code, "category_name": category.name,
            "confidence": round(s.category.confidence, 3),
            "department": department, "department_name": names.get(department) if department else None,
            "department_confidence": round(confidence, 3) if confidence is not None else None,
            "type": s.type.code if s.type else None, "type_name": label("type", s.type.code) if s.type else None,
        })
    top = out[0] if out else None
    preselect = (top["department"] if top and top["department"] and top["department_confidence"] >= threshold
                 else None)
    return {"version": model.version if model else None, "threshold": threshold,
            "suggestions": out, "preselect": preselect}


def remember(session: Session, order: WorkOrder, now: datetime) -> None:
    """Record what the desk suggested for a new order (in the creating transaction), so that
    acceptance can be measured; nothing when no model serves yet or the text has no words."""
    model, suggestions = suggestions_for(session, order.content)
    if model is not None and suggestions:
        quality.record(session, order, model.version, suggestions, now)


def note_dispatch(session: Session, order: WorkOrder) -> None:
    quality.note_dispatch(session, order)
