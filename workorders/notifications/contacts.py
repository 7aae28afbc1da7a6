"""A department's contact settings: the duty phone that gets SMS, the e-mail address, each switchable.

Set from the departments page and from `hotline departments contact`; both validate here and
write an audit record with the change, in the caller's transaction.
"""
from __future__ import annotations

import re
from typing import Any

from sqlalchemy.orm import Session

from ..audit import record_audit, snapshot
from ..errors import Invalid
from ..inputs import PHONE
from ..models import Department
from .models import DepartmentContact

FIELDS = ("duty_phone", "email", "sms_enabled", "email_enabled")
# Enough to catch a typo (no @, no domain, spaces); whether the box exists only sending tells.
EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s.]+(\.[^@\s.]+)+$")
MAX_EMAIL = 255
MAX_PHONE = 32


def _phone(value: str | None) -> str | None:
    value = (value or "").strip()
    if not value:
        return None
    if len(value) > MAX_PHONE or not PHONE.match(value):
        raise Invalid("duty phone: '%(value)s' is not a phone number", value=value[:40])
    return value


def _email(value: str | None) -> str | None:
    value = (value or "").strip()
    if not value:
        return None
    if len(value) > MAX_EMAIL or not EMAIL.match(value):
        raise Invalid("e-mail: '%(value)s' is not an e-mail address", value=value[:60])
    return value


def set_contact(session: Session, department: Department, actor: Any, at, *, phone: str | None = None,
                email: str | None = None, sms: bool | None = None, mail: bool | None = None) -> DepartmentContact:
    """Change what is given (None leaves a setting as it is; "" clears a phone or address).

    A new contact has both channels on. Nothing changed writes nothing.
    """
    new_phone = _phone(phone) if phone is not None else None
    new_email = _email(email) if email is not None else None
    contact = session.get(DepartmentContact, department.id)
    before = snapshot(contact, *FIELDS) if contact else None
    if contact is None:
        contact = DepartmentContact(department_id=department.id, sms_enabled=True, email_enabled=True)
        session.add(contact)
    if phone is not None:
        contact.duty_phone = new_phone
    if email is not None:
        contact.email = new_email
    if sms is not None:
        contact.sms_enabled = sms
    if mail is not None:
        contact.email_enabled = mail
    after = snapshot(contact, *FIELDS)
    if after != before:
        session.flush()
        record_audit(session, actor, "department", department.code, "contact", before, after, at=at)
    return contact
