"""The statistics pages: the supervisors' dashboard, the monthly workbook, the public notice board.

The dashboard and the workbook are for the hotline office (supervisor, leader, admin). The
notice board (公开通报) is public and shows per-department figures of a finished month only:
counts and rates, never an order, a caller or a text.
"""
from __future__ import annotations

from flask import Response, abort, render_template, request, url_for

from workorders.assessment import store as assessment_store
from workorders.assessment.schemes import Scheme
from workorders.assessment.score import assess
from workorders.deadlines import local_date
from workorders.errors import Invalid
from workorders.stats import figures, hotspots, periods, severe
from workorders.stats.figures import Report
from workorders.stats.stored import StoredWorkbook
from workorders.stats.stored import listing as stored_listing

from .. import db
from ..i18n import label
from ..runtime import clock, timezone
from ..web.security import browser_blueprint, roles_required
from . import workbook
from .labels import FIGURE_LABELS, GROUP_LABELS, NO_GROUP, RANKING_COLUMNS, figure_label, show

bp = browser_blueprint("stats", __name__, url_prefix="/stats")
public = browser_blueprint("notice", __name__)

OFFICE_ROLES = ("supervisor", "leader", "admin")
# Figures a ranking can be sorted by, and whether more is better.
RANKABLE = {"on_time_rate": True, "satisfaction_rate": True, "resolution_rate": True, "reply_rate": True,
            "overdue_rate": False, "average_reply_days": False, "returns_per_100": False}


def _today():
    return local_date(clock().now(), timezone())


def _period_from_request() -> periods.Period:
    args = request.args
    if args.get("from") or args.get("to"):
        return periods.between(periods.parse_day(args.get("from"), "from"), periods.parse_day(args.get("to"), "to"))
    day = periods.parse_day(args["date"], "date") if args.get("date") else _today()
    return periods.around(args.get("period") or "month", day)


def row_name(group: str, row) -> str:
    if row.key == "":
        return str(NO_GROUP.get(group, "—"))
    if group in ("type", "channel"):
        return label(group, row.code)
    return row.name


def ranking(report: Report, by: str) -> list:
    """The top-level departments, best first by `by`; those with no value for it last."""
    better_high = RANKABLE[by]
    rows = [r for r in report.rows if r.key and r.depth == 0]
    valued = [r for r in rows if r.figures.as_dict()[by] is not None]
    rest = [r for r in rows if r.figures.as_dict()[by] is None]
    valued.sort(key=lambda r: r.figures.as_dict()[by], reverse=better_high)
    return valued + rest


@bp.get("/")
@roles_required(*OFFICE_ROLES)
def dashboard():
    session, tz, now = db.session(), timezone(), clock().now()
    period = _period_from_request()
    by = request.args.get("rank") or "on_time_rate"
    if by not in RANKABLE:
        raise Invalid("unknown ranking '%(name)s'; rank by one of: %(names)s", name=by, names=list(RANKABLE))
    departments = figures.report(session, period, "department", now, tz)
    types = figures.report(session, period, "type", now, tz)
    categories = figures.report(session, period, "category", now, tz)
    ranked = ranking(departments, by)
    flagged = hotspots.hotspots(session, _today())
    charts = {
        "trend": [{"day": d["day"].isoformat(), **{k: d[k] for k in ("received", "dispatched", "replied")}}
                  for d in figures.daily_series(session, period, _today())],
        "types": [{"name": row_name("type", r), "value": r.figures.received} for r in types.rows],
        "categories": [{"name": row_name("category", r), "value": r.figures.received}
                       for r in categories.rows if r.depth == 0],
        "ranking": [{"name": r.name, "value": r.figures.as_dict()[by]} for r in ranked],
        "labels": {k: str(v) for k, v in FIGURE_LABELS.items()},
        "rank_by": by,
    }
    scheme = assessment_store.scheme_named(session, None)
    downloads = [(kind, url_for("stats.monthly_workbook", period=kind, date=period.last.isoformat()))
                 for kind in WORKBOOK_PERIODS]
    return render_template(
        "stats/dashboard.html", period=period, total=departments.total.as_dict(), report=departments,
        assessment=assess(departments, Scheme.from_json(scheme.rules)), scheme=scheme, downloads=downloads,
        kept=stored_listing(session),
        ranked=ranked, by=by, rankable=list(RANKABLE), lights=figures.lights_now(session, now),
        flagged=flagged, charts=charts, columns=RANKING_COLUMNS, figure_label=figure_label, show=show,
        month=period.last.strftime("%Y-%m"), today=_today(),
    )


@bp.get("/hotspots/<dimension>/<key>")
@roles_required(*OFFICE_ROLES)
def hotspot(dimension: str, key: str):
    if dimension not in hotspots.DIMENSIONS:
        abort(404)
    session, tz = db.session(), timezone()
    day = periods.parse_day(request.args["date"], "date") if request.args.get("date") else _today()
    volume = hotspots.find(session, day, dimension, key)
    if volume is None:
        abort(404)
    return render_template("stats/hotspot.html", volume=volume, orders=hotspots.orders_behind(session, volume, tz),
                           dimension_label=GROUP_LABELS[dimension])


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
WORKBOOK_PERIODS = ("week", "month", "quarter", "year")


@bp.get("/report.xlsx")
@roles_required(*OFFICE_ROLES)
def monthly_workbook():
    """?month=YYYY-MM, or ?period=week|month|quarter|year&date=D (default: this month)."""
    session, tz, now = db.session(), timezone(), clock().now()
    kind = request.args.get("period") or "month"
    if kind not in WORKBOOK_PERIODS:
        raise Invalid("unknown period '%(name)s'; periods are: %(periods)s", name=kind, periods=list(WORKBOOK_PERIODS))
    if request.args.get("month"):
        kind, period = "month", periods.parse_month(request.args["month"])
    else:
        day = periods.parse_day(request.args["date"], "date") if request.args.get("date") else _today()
        period = periods.around(kind, day)
    data = workbook.to_bytes(build_workbook(session, period, now, tz, kind))
    return _xlsx(data, workbook.file_name(kind, period))


@bp.get("/reports/<int:stored_id>.xlsx")
@roles_required(*OFFICE_ROLES)
def stored_workbook(stored_id: int):
    """A workbook the monthly job built and kept."""
    kept = db.session().get(StoredWorkbook, stored_id)
    if kept is None:
        abort(404)
    return _xlsx(kept.content, workbook.file_name(kept.kind, periods.Period(kept.first_day, kept.last_day)))


def _xlsx(data: bytes, name: str) -> Response:
    return Response(data, mimetype=XLSX, headers={"Content-Disposition": f'attachment; filename="{name}"'})


def build_workbook(session, period: periods.Period, now, tz, kind: str = "month"):
    departments = figures.report(session, period, "department", now, tz)
    scheme = assessment_store.scheme_named(session, None)
    ranked = assess(departments, Scheme.from_json(scheme.rules))
    return workbook.build(workbook.ReportData(
        session, kind, period, now, tz, departments, severe.severe_list(session, period, now), scheme.title, ranked))


@public.get("/notice")
def notice_board():
    """公开通报: the last full month, or an earlier one named by ?month=YYYY-MM."""
    session, tz, now = db.session(), timezone(), clock().now()
    latest = periods.last_full_month(_today())
    period = periods.parse_month(request.args["month"]) if request.args.get("month") else latest
    if period.last > latest.last:
        raise Invalid("the notice board shows finished months only; the latest is %(month)s",
                      month=f"{latest.first:%Y-%m}")
    report = figures.report(session, period, "department", now, tz)
    rows = [r for r in report.rows if r.key]
    previous = periods.month(period.first.year - (period.first.month == 1), (period.first.month - 2) % 12 + 1)
    return render_template(
        "stats/notice.html", period=period, rows=rows, total=report.total.as_dict(), columns=RANKING_COLUMNS,
        figure_label=figure_label, show=show, published=assessment_store.published_for(session, period),
        previous_url=url_for("notice.notice_board", month=previous.first.strftime("%Y-%m")),
        next_url=(url_for("notice.notice_board", month=_next_month(period).first.strftime("%Y-%m"))
                  if period.last < latest.last else None),
    )


def _next_month(period: periods.Period) -> periods.Period:
    first = period.first
    return periods.month(first.year + (first.month == 12), first.month % 12 + 1)
