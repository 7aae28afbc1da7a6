"""`hotline stats rebuild|check|show` and `hotline report --period P --date D (or --month YYYY-MM) --xlsx FILE`."""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import click
from flask_babel import force_locale

from workorders.deadlines import local_date
from workorders.errors import DomainError
from workorders.stats import figures, periods, rollup, scratch

from ..cli import fail, main, unit_of_work
from ..runtime import clock, timezone
from . import workbook


def _day(ctx, param, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return periods.parse_day(value, param.name)
    except DomainError as exc:
        raise click.BadParameter(exc.message) from None


@main.group("stats")
def stats_group() -> None:
    """Statistics: the daily roll-up behind the reports."""


@stats_group.command("rebuild")
@click.option("--from", "first", callback=_day, help="first local date (default: the first event's)")
@click.option("--to", "last", callback=_day, help="last local date, included (default: today)")
def stats_rebuild(first: date | None, last: date | None) -> None:
    """Rebuild the daily roll-up of every day from --from to --to, in one transaction."""
    tz = timezone()
    with unit_of_work() as session:
        span = rollup.event_span(session, tz)
        today = local_date(clock().now(), tz)
        first = first or (span[0] if span else today)
        last = last or today
        try:
            period = periods.between(first, last)
        except DomainError as exc:
            fail(exc)
        with click.progressbar(length=period.days, label="rolling up", show_pos=True,
                               item_show_func=lambda d: d.isoformat() if d else None) as bar:
            rows = rollup.rollup_days(session, first, last, tz, progress=lambda day: bar.update(1, day))
    click.echo(f"rebuilt {period.days} day(s) {first} – {last}: {rows} roll-up rows")


@stats_group.command("check")
@click.option("--from", "first", callback=_day, required=True)
@click.option("--to", "last", callback=_day, required=True)
def stats_check(first: date, last: date) -> None:
    """Compare the roll-up's figures with a replay of the events; exit 1 on any difference."""
    tz, now = timezone(), clock().now()
    differences = []
    with unit_of_work() as session:
        try:
            period = periods.between(first, last)
        except DomainError as exc:
            fail(exc)
        for group in figures.GROUPS:
            rolled = figures.report(session, period, group, now, tz)
            replayed = scratch.report(session, period, group, now, tz)
            a = {r.key: r.figures.as_dict() for r in rolled.rows} | {"(total)": rolled.total.as_dict()}
            b = {r.key: r.figures.as_dict() for r in replayed.rows} | {"(total)": replayed.total.as_dict()}
            for key in sorted(set(a) | set(b)):
                if a.get(key) != b.get(key):
                    differences.append(f"{group} {key or '(none)'}: roll-up {a.get(key)} ≠ events {b.get(key)}")
    for line in differences:
        click.echo(line)
    if differences:
        raise click.ClickException(f"{len(differences)} difference(s): run `hotline stats rebuild`")
    click.echo(f"the roll-up equals the events for {period}")


@stats_group.command("show")
@click.option("--from", "first", callback=_day, required=True)
@click.option("--to", "last", callback=_day, required=True)
@click.option("--group", default="all", type=click.Choice(figures.GROUPS))
def stats_show(first: date, last: date, group: str) -> None:
    """The figures as JSON (the same document as GET /api/v1/stats)."""
    from ..api.stats import report_json

    tz = timezone()
    with unit_of_work() as session:
        try:
            report = figures.report(session, periods.between(first, last), group, clock().now(), tz)
        except DomainError as exc:
            fail(exc)
        click.echo(json.dumps(report_json(report, tz), ensure_ascii=False, indent=2))


@main.command("report")
@click.option("--period", "kind", type=click.Choice(["week", "month", "quarter", "year"]),
              help="the week, month, quarter or year around --date")
@click.option("--date", "day", callback=_day, help="a date in the period, YYYY-MM-DD (with --period)")
@click.option("--month", help="the month, YYYY-MM (instead of --period month --date …)")
@click.option("--xlsx", "target", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="the Excel file to write")
@click.option("--lang", default="zh_CN", type=click.Choice(["zh_CN", "en"]), help="language of the labels")
def report_command(kind: str | None, day: date | None, month: str | None, target: Path, lang: str) -> None:
    """Write the report of a period (summary, departments, severe-overdue list, assessment) as Excel."""
    from .pages import build_workbook

    if month and (kind or day):
        raise click.UsageError("give either --month or --period with --date, not both")
    if not month and not (kind and day):
        raise click.UsageError("give --month YYYY-MM, or --period week|month|quarter|year with --date YYYY-MM-DD")
    tz = timezone()
    try:
        period = periods.parse_month(month) if month else periods.around(kind, day)
    except DomainError as exc:
        fail(exc)
    with unit_of_work() as session, force_locale(lang):
        wb = build_workbook(session, period, clock().now(), tz, kind or "month")
    target.write_bytes(workbook.to_bytes(wb))
    click.echo(f"wrote {target} ({period})")
