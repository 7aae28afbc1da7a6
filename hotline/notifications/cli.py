"""`hotline departments contact CODE`: a department's duty phone and e-mail, and which are on."""
from __future__ import annotations

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from workorders.context import Actor
from workorders.errors import Invalid
from workorders.models import Department
from workorders.notifications.contacts import set_contact

from ..db import database
from ..runtime import clock


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
        try:
            contact = set_contact(session, dept, Actor.system("cli"), clock().now(), phone=phone, email=email,
                                  sms=sms, mail=mail)
        except Invalid as exc:
            raise click.ClickException(exc.message) from None
        click.echo(f"{code} sms={'on' if contact.sms_enabled else 'off'} phone={contact.duty_phone or '-'} "
                   f"mail={'on' if contact.email_enabled else 'off'} email={contact.email or '-'}")
