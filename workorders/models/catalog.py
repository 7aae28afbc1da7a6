"""Reference data an administrator edits: content categories and deadline policies."""
from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base
from .organisation import Department


class Category(Base):
    """诉求内容分类; a category may name the department that usually handles it (routing)."""

    __tablename__ = "categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id"), index=True)
    default_department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))

    parent: Mapped[Category | None] = relationship(remote_side=[id])
    default_department: Mapped[Department | None] = relationship()


class Policy(Base):
    """A named set of deadline rules (SPEC §2); exactly one is active.

    `rules` holds the values of `workorders.policies.PolicyRules`; orders copy the rules they
    were dispatched under, so editing a policy never moves an existing deadline.
    """

    __tablename__ = "policies"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(40), unique=True)
    title: Mapped[str] = mapped_column(String(120))
    active: Mapped[bool] = mapped_column(Boolean, default=False)
    rules: Mapped[dict[str, Any]] = mapped_column(JSON)
