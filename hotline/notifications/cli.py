"""`hotline departments contact CODE`: a department's duty phone and e-mail, and which are on."""
from __future__ import annotations

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from workorders.models import Department
from workorders.notifications.models import DepartmentContact

from ..db import database


@click.command("contact")
@click.argument("code")
@click.option("--phone", help="duty phone for SMS")
@click.option("--email", help="address for e-mail")
@click.option("--sms/--no-sms", default=None, help="send SMS (default: unchanged; on for a new contact)")
@click.option("--mail/--no-mail", default=None, help="send e-mail (default: unchanged; on for a new contact)")
@with_appcontext
def contacts(code: str, phone: str | None, email: str | None, sms: bool | None, mail: bool | None) -> None:
    """Set how department CODE hears of dispatches, urgings and send-backs; prints the result."""
    with database().transaction() as session:
        dept = session.scalar(select(Department).where(Department.code == code))
        if dept is None:
            raise click.ClickException(f"unknown department '{code}'")
        contact = session.get(DepartmentContact, dept.id)
        if contact is None:
            contact = DepartmentContact(department_id=dept.id, sms_enabled=True, email_enabled=True)
            session.add(contact)
        if phone is not None:
            contact.duty_phone = phone.strip() or None
        if email is not None:
            contact.email = email.strip() or None
        if sms is not None:
            contact.sms_enabled = sms
        if mail is not None:
            contact.email_enabled = mail
        click.echo(f"{code} sms={'on' if contact.sms_enabled else 'off'} phone={contact.duty_phone or '-'} "
                   f"mail={'on' if contact.email_enabled else 'off'} email={contact.email or '-'}")
