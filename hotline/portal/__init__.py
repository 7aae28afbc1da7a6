"""The citizen portal at /portal (SPEC §8): write to the hotline or a leader's mailbox, follow
one's order with its access code, read and rate public replies; and the supervisor's pages that
approve publication and review low ratings. `hotline portal …` configures the mailboxes."""
from __future__ import annotations

from datetime import timedelta

import click
from flask import Flask
from sqlalchemy import select

from workorders import throttle
from workorders.audit import record_audit, snapshot
from workorders.citizen import mailboxes, rate_limits
from workorders.citizen.models import Mailbox
from workorders.errors import DomainError

from .. import db
from ..cli import CLI_ACTOR, main


@main.group("portal")
def portal_group() -> None:
    """The citizen portal: leader mailboxes."""


@portal_group.command("mailboxes")
def mailboxes_list() -> None:
    """List the mailboxes: `<code> <name> → <department code>`."""
    with db.database().transaction() as session:
        for box in mailboxes.active_mailboxes(session):
            click.echo(f"{box.code} {box.name_zh} → {box.department.code}")


@portal_group.command("mailbox-defaults")
def mailbox_defaults() -> None:
    """Install the demo city's mailboxes (市长信箱, 区长信箱, 局长信箱) whose departments exist."""
    with db.database().transaction() as session:
        click.echo(mailboxes.install_defaults(session))


@portal_group.command("mailbox-set")
@click.option("--code", required=True)
@click.option("--name-zh", required=True)
@click.option("--name-en", required=True)
@click.option("--kind", required=True, type=click.Choice(mailboxes.KINDS))
@click.option("--department", "department_code", required=True)
@click.option("--inactive", is_flag=True, help="close the mailbox to new letters")
def mailbox_set(code, name_zh, name_en, kind, department_code, inactive) -> None:
    """Create or change a mailbox and the department its letters go to."""
    try:
        with db.database().transaction() as session:
            fields = ("code", "name_zh", "name_en", "kind", "department_id", "active")
            existing = session.scalar(select(Mailbox).where(Mailbox.code == code))
            before = snapshot(existing, *fields) if existing else None
            box = mailboxes.set_mailbox(session, code, name_zh, name_en, kind, department_code, not inactive)
            record_audit(session, CLI_ACTOR, "mailbox", code, "update" if before else "create", before,
                         snapshot(box, *fields))
            click.echo(f"{box.code} {box.name_zh} → {department_code}{' (closed)' if inactive else ''}")
    except DomainError as exc:
        raise click.ClickException(exc.message) from None


# Counters of the portal's and the keypad's rate limits outlive their window (a day at most) by
# this much before the hourly job drops them, so the table holds about two days of clients.
COUNTER_RETENTION = timedelta(days=2)


def init_app(app: Flask) -> None:
    from ..jobs import JobRun, JobSpec, Outcome, register_job
    from . import manage, views

    app.register_blueprint(views.bp)
    app.register_blueprint(manage.bp)

    def purge_counters(run: JobRun) -> Outcome:
        with run.transaction() as session:
            purged = rate_limits.purge(session, run.now, COUNTER_RETENTION)
            purged += throttle.purge(session, run.now)  # the per-client delays (sign-in, access codes)
            return Outcome(purged)

    register_job(app, JobSpec("rate_counter_purge", "drop rate-limit counters whose window ended days ago",
                              timedelta(hours=1), purge_counters))
    if "portal" not in app.cli.commands:
        app.cli.add_command(portal_group, "portal")
