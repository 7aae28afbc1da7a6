"""The `hotline` command (SPEC §10): database, demo data, users, calendar, departments.

Every command is one unit of work: it commits once at the end, or writes nothing.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup
from sqlalchemy import select

from workorders import deadlines
from workorders.audit import record_audit, snapshot
from workorders.calendar_store import covered_years, import_years, load_calendar, seed_from_chinesecalendar
from workorders.context import Actor
from workorders.errors import DomainError
from workorders.models import Department
from workorders.passwords import check_new_password
from workorders.people import create_user, find_user

from . import db, migrate
from .auth import hash_password, issue_token
from .runtime import clock, timezone

CLI_ACTOR = Actor.system("cli")


def _create_app():
    from . import create_app

    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app, add_default_commands=True)
def main() -> None:
    """12345 Hotline work-order system."""


def unit_of_work():
    return db.database().transaction()


def fail(exc: DomainError):
    raise click.ClickException(exc.message)


# --- database -----------------------------------------------------------------------------------

@main.group("db")
def db_group() -> None:
    """Database schema."""


@db_group.command("upgrade")
def db_upgrade() -> None:
    """Apply every migration, then seed the calendar and the policy presets."""
    migrate.upgrade(current_app.config["DATABASE_URL"])
    from workorders.policy_store import install_presets

    with unit_of_work() as session:
        # The years the installed chinesecalendar covers that the table lacks (a newer package
        # adds next year); years already there, imported or seeded, are never overwritten.
        years = seed_from_chinesecalendar(session, clock().now())
        install_presets(session, current_app.config["POLICY_PRESET"])
        if years:
            record_audit(session, CLI_ACTOR, "calendar", ",".join(map(str, years)), "import", None,
                         {"years": years, "file": "chinesecalendar"}, at=clock().now())
            after_import(session)  # provisional deadlines are counted again on the new years
    click.echo("database is up to date" + (f"; calendar seeded for {years[0]}–{years[-1]}" if years else ""))


@main.command("seed-demo")
def seed_demo() -> None:
    """Load the demo city: departments, users, categories and orders (safe to run twice)."""
    from .demo import seed

    try:
        with unit_of_work() as session:
            report = seed(session, current_app)
    except DomainError as exc:
        fail(exc)
    for line in report:
        click.echo(line)


# --- users --------------------------------------------------------------------------------------

@main.group("users")
def users_group() -> None:
    """People and their API tokens."""


@users_group.command("create")
@click.option("--username", required=True)
@click.option("--password", required=True)
@click.option("--role", required=True)
@click.option("--department", "department_code", default=None, help="department code, for department users")
@click.option("--name", "display_name", default="", help="display name")
def users_create(username, password, role, department_code, display_name) -> None:
    try:
        check_new_password(password, username)
        with unit_of_work() as session:
            user = create_user(session, username=username, password_hash=hash_password(password), role=role,
                               department_code=department_code, display_name=display_name, now=clock().now())
            record_audit(session, CLI_ACTOR, "user", user.username, "create", None,
                         snapshot(user, "username", "display_name", "role", "department_id", "active"),
                         at=clock().now())
            click.echo(f"created user {user.username} ({user.role})")
    except DomainError as exc:
        fail(exc)


@users_group.command("token")
@click.option("--username", required=True)
@click.option("--name", default="cli", help="what the token is for")
def users_token(username, name) -> None:
    """Issue an API token; it is printed alone on the last line and never shown again."""
    try:
        with unit_of_work() as session:
            token = issue_token(session, find_user(session, username), clock().now(), name)
            record_audit(session, CLI_ACTOR, "token", username, "issue", None, {"user": username, "name": name},
                         at=clock().now())
    except DomainError as exc:
        fail(exc)
    click.echo(f"API token for {username} (shown once):")
    click.echo(token)


# --- calendar -----------------------------------------------------------------------------------

@main.group("calendar")
def calendar_group() -> None:
    """The official working-day calendar."""


@calendar_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def calendar_import(file: Path) -> None:
    """Import whole years from a JSON file shaped like official_holidays.json."""
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise click.ClickException(f"{file} is not a JSON file: {exc}") from None
    years_map = data.get("years", data) if isinstance(data, dict) else data
    try:
        with unit_of_work() as session:
            years = import_years(session, years_map, clock().now(), source=file.name[:40])
            record_audit(session, CLI_ACTOR, "calendar", ",".join(map(str, years)), "import", None,
                         {"years": years, "file": file.name[:120]}, at=clock().now())
            after_import(session)
    except DomainError as exc:
        fail(exc)
    click.echo(f"imported {', '.join(map(str, years))}")


def after_import(session) -> None:
    """Hook for work that follows a calendar change (the scheduler recomputes deadlines)."""
    for hook in current_app.extensions.get("hotline.calendar_hooks", []):
        hook(session)


@calendar_group.command("show")
@click.argument("year", type=click.IntRange(1900, 2200))
def calendar_show(year: int) -> None:
    """Rest days and adjusted working days of a year."""
    from datetime import date, timedelta

    with unit_of_work() as session:
        cal = load_calendar(session)
        covered = year in covered_years(session)
    click.echo(f"{year}: {'official' if covered else 'NOT COVERED — Monday–Friday, provisional'}")
    day = date(year, 1, 1)
    while day.year == year:
        weekend = day.weekday() >= 5
        work = cal.is_workday(day)
        if work == weekend:  # the interesting days: holidays on weekdays, working weekends
            click.echo(f"{day.isoformat()} {day.strftime('%a')} {'working day (调休)' if work else 'holiday'}")
        day += timedelta(days=1)


@calendar_group.command("due")
@click.option("--start", required=True, help="ISO time, e.g. 2026-04-30T10:00:00+08:00")
@click.option("--working-days", required=True, type=click.IntRange(1, 3650))
def calendar_due(start: str, working_days: int) -> None:
    """The due time of a limit; printed alone on the last line."""
    from .api.calendar import parse_start

    try:
        with unit_of_work() as session:
            tz = timezone()
            result = deadlines.due(parse_start(start, tz), working_days, "working", load_calendar(session), tz)
    except DomainError as exc:
        fail(exc)
    if result.provisional:
        click.echo("provisional: beyond the official calendar, counted Monday–Friday", err=True)
    click.echo(result.at.astimezone(tz).isoformat())


# --- departments --------------------------------------------------------------------------------

@main.group("departments")
def departments_group() -> None:
    """The department tree."""


@departments_group.command("list")
def departments_list() -> None:
    with unit_of_work() as session:
        for dept in session.scalars(select(Department).order_by(Department.code)):
            click.echo(f"{dept.code} {dept.name}")




def init_app(app: Flask) -> None:
    """Commands are attached to `main`; `flask --app hotline` sees the same ones."""
    for name, command in main.commands.items():
        if name not in app.cli.commands and name not in ("run", "shell", "routes"):
            app.cli.add_command(command, name)


if __name__ == "__main__":
    sys.exit(main())
