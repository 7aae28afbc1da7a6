"""/api/v1/departments and /api/v1/categories: reference data for clients and forms."""
from __future__ import annotations

from flask import jsonify
from sqlalchemy import select

from workorders.models import Category, Department

from .. import db
from . import bp


@bp.get("/departments")
def departments():
    session = db.session()
    rows = session.scalars(select(Department).where(Department.active.is_(True)).order_by(Department.code))
    codes = dict(session.execute(select(Department.id, Department.code)).all())
    return jsonify({"departments": [
        {"code": d.code, "name": d.name, "kind": d.kind, "parent": codes.get(d.parent_id)} for d in rows
    ]})


@bp.get("/categories")
def categories():
    session = db.session()
    rows = session.scalars(select(Category).order_by(Category.code))
    cats = dict(session.execute(select(Category.id, Category.code)).all())
    depts = dict(session.execute(select(Department.id, Department.code)).all())
    return jsonify({"categories": [
        {"code": c.code, "name": c.name, "parent": cats.get(c.parent_id),
         "default_department": depts.get(c.default_department_id)} for c in rows
    ]})
