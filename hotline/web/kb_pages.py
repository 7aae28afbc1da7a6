"""The knowledge base (知识库) for the people in the office: list and search, articles, their forms.

Everyone at the front desk reads what is published and in effect; a department also reads and
proposes its own department's drafts; supervisors see everything, edit, publish and retire, read
the usage reports and keep the synonyms (SPEC §6). Every write is one of `knowledge_base`'s
operations, which enforce those rules: the pages only choose which buttons to show. Each POST is
one transaction; a refusal shows the rule in the user's language and writes nothing.
"""
from __future__ import annotations

import re
from datetime import datetime, time

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from knowledge_base import calibration, operations, synonyms, usage
from knowledge_base.calibration import past_queries
from knowledge_base.models import Article, ArticleStatus
from knowledge_base.search import MAX_QUERY
from workorders import actions
from workorders.deadlines import local_date
from workorders.errors import DomainError, NotFound
from workorders.models import Department, WorkOrder
from workorders.vocabulary import Role

from .. import db
from ..runtime import clock, timezone
from . import kb_listing
from .forms import form_inputs
from .kb import pieces
from .present import category_tree, department_names, department_tree
from .security import browser_blueprint, roles_required

bp = browser_blueprint("kb_pages", __name__, url_prefix="/kb")

READERS = ("agent", "supervisor", "leader", "department")
EDITORS = ("supervisor", "department")
PAGE_SIZE = 50
SEARCH_LIMIT = 50
REPORT_LIMIT = 50
TEXT_FIELDS = ("title", "question", "answer", "keywords")
OPTIONAL_FIELDS = ("category", "department", "effective_on", "expires_on")
# Synonyms as a clerk types them: spaces, commas or the enumeration comma between the words.
WORD_SEPARATORS = re.compile(r"[\s,，、;；]+")


def _today():
    return local_date(clock().now(), timezone())


def _is_manager() -> bool:
    return current_user.role in kb_listing.MANAGERS


def _article(article_id: int, lock: bool = False) -> Article:
    """The article if this user may read it: 404 when there is none, 403 when it is not theirs to see."""
    try:
        article = operations.get_article(db.session(), article_id, for_update=lock)
    except NotFound:
        abort(404)
    if not operations.can_read(current_user.actor, article, _today()):
        abort(403)
    return article


def _changed_at_once() -> str:
    return _("Someone else changed this article at the same time; here it is as it is now.")


# --- the list -----------------------------------------------------------------------------------

def _chosen(session) -> tuple[kb_listing.Chosen, dict]:
    args = request.args
    status = args.get("status", "")
    status = status if status in ArticleStatus.ALL else ""
    category = args.get("category", "")
    categories = kb_listing.category_ids(session, category) if category else None
    department = args.get("department", "")
    department_id = session.scalar(select(Department.id).where(Department.code == department)) if department else None
    shown = {"status": status, "category": category if categories else "", "department": department if department_id else ""}
    return kb_listing.Chosen(status or None, categories, department_id), shown


@bp.get("")
@roles_required(*READERS)
def index():
    session = db.session()
    actor = current_user.actor
    query = " ".join(request.args.get("q", "").split())[:MAX_QUERY]
    chosen, shown = _chosen(session)
    scopes = kb_listing.narrowed(kb_listing.scopes(actor, _today()), chosen)
    page = request.args.get("page", "1")
    page = int(page) if (page.isascii() and page.isdigit()) and 0 < int(page) < 100_000 else 1
    hits, articles, total, search_id = [], [], 0, None
    if query:
        hits = kb_listing.find(session, query, scopes, SEARCH_LIMIT)
        # Logged as the API logs its searches: the ones nobody opens are the gaps of the report.
        search_id = usage.log_search(session, kind="search", query=query, user_id=actor.user_id, order_id=None,
                                     article_ids=[h.article.id for h in hits], now=clock().now()).id
    else:
        articles, total = kb_listing.browse(session, scopes, (page - 1) * PAGE_SIZE, PAGE_SIZE)
    # A status to choose for those who see more than what is published (a department: its drafts).
    filters = actor.role in (Role.supervisor, Role.department)
    today = _today()
    page_html = render_template(
        "kb/index.html", q=query, shown=shown, hits=hits, articles=articles, total=total, page=page,
        pages=max(1, -(-total // PAGE_SIZE)), search_id=search_id, pieces=pieces,
        is_current=lambda article: operations.is_current(article, today),
        statuses=ArticleStatus.ALL if filters else (), categories=category_tree(session),
        departments=department_tree(session), dept_names=department_names(session),
    )
    session.commit()  # the search's log, once the page no longer reads the articles
    return page_html


# --- one article --------------------------------------------------------------------------------

def render_article(article: Article, *, error: DomainError | str | None = None, status: int = 200):
    session = db.session()
    actor = current_user.actor
    history = kb_listing.history(session, article) if kb_listing.may_see_history(actor, article) else None
    source = session.get(WorkOrder, article.source_order_id) if article.source_order_id else None
    page = render_template(
        "kb/show.html", article=article, error=error, history=history, source=source,
        current=operations.is_current(article, _today()), may_edit=kb_listing.may_edit(actor, article),
        may_manage=_is_manager(), dept_names=department_names(session),
    )
    return page, status


@bp.get("/<int:article_id>")
@roles_required(*READERS)
def show(article_id: int):
    session = db.session()
    article = _article(article_id)
    search_id = request.args.get("search", "")
    if (search_id.isascii() and search_id.isdigit()) and len(search_id) < 12:
        try:
            # Opened from a search: that search found something (see the "not found" report).
            usage.record_click(session, int(search_id), article.id, current_user.actor.user_id, clock().now())
            session.commit()
        except DomainError:
            session.rollback()
    return render_article(article)


def _status_change(article_id: int, change, done: str):
    session = db.session()
    article = _article(article_id, lock=True)
    try:
        change(session, current_user.actor, article, clock().now(), form_inputs(request.form, {"version"}))
        session.commit()
    except DomainError as exc:
        session.rollback()
        return render_article(_article(article_id), error=exc, status=exc.status)
    except IntegrityError:
        session.rollback()
        return render_article(_article(article_id), error=_changed_at_once(), status=409)
    flash(done, "success")
    return redirect(url_for("kb_pages.show", article_id=article_id))


@bp.post("/<int:article_id>/publish")
@roles_required(*READERS)
def publish(article_id: int):
    return _status_change(article_id, operations.publish, _("Article published: agents are offered it now."))


@bp.post("/<int:article_id>/retire")
@roles_required(*READERS)
def retire(article_id: int):
    return _status_change(article_id, operations.retire, _("Article retired: agents no longer see it."))


# --- the forms ----------------------------------------------------------------------------------

def _form_values(article: Article | None) -> dict:
    if article is None:
        return {"title": request.args.get("title", "")[:200]}
    codes = dict(db.session().execute(select(Department.id, Department.code)).all())
    return {
        "title": article.title, "question": article.question, "answer": article.answer,
        "keywords": ", ".join(article.keyword_list()),
        "category": article.category.code if article.category else "",
        "department": codes.get(article.department_id, ""),
        "effective_on": article.effective_on.isoformat() if article.effective_on else "",
        "expires_on": article.expires_on.isoformat() if article.expires_on else "",
        "version": str(article.version),
    }


def render_form(article: Article | None, values: dict, *, error: DomainError | str | None = None, status: int = 200):
    session = db.session()
    return render_template(
        "kb/form.html", article=article, values=values, error=error, categories=category_tree(session),
        departments=department_tree(session), own_department=current_user.user.department,
        may_choose_department=_is_manager(),
    ), status


def _article_data(article: Article | None) -> dict:
    """The form as the operations' input: only the fields it carries; a blank optional field clears it."""
    form = request.form
    data = {name: form[name] for name in TEXT_FIELDS if name in form}
    for name in OPTIONAL_FIELDS:
        if name in form and not (name == "department" and not _is_manager()):
            data[name] = form[name].strip() or None
    if article is not None:
        # Unchanged references are not sent again: an inactive department stays as it is.
        values = _form_values(article)
        for name in ("category", "department"):
            if name in data and (data[name] or "") == values[name]:
                del data[name]
        data.update(form_inputs(form, {"version"}))
    return data


def _refused_edit(article_id: int, error: DomainError | str, status: int):
    """The form again with what was typed, the refusal, and the article's version now: as on the
    order page, a second save after reading the refusal is a deliberate one."""
    article = _article(article_id)
    return render_form(article, {**request.form.to_dict(), "version": str(article.version)}, error=error,
                       status=status)


@bp.get("/new")
@roles_required(*EDITORS)
def new():
    return render_form(None, _form_values(None))


@bp.post("/new")
@roles_required(*EDITORS)
def create():
    session = db.session()
    try:
        article = operations.create_draft(session, current_user.actor, _article_data(None), clock().now())
        session.commit()
    except DomainError as exc:
        session.rollback()
        return render_form(None, request.form.to_dict(), error=exc, status=exc.status)
    flash(_("Draft saved. A supervisor publishes it."), "success")
    return redirect(url_for("kb_pages.show", article_id=article.id))


@bp.get("/<int:article_id>/edit")
@roles_required(*EDITORS)
def edit(article_id: int):
    article = _article(article_id)
    if not kb_listing.may_edit(current_user.actor, article):
        abort(403)
    return render_form(article, _form_values(article))


@bp.post("/<int:article_id>/edit")
@roles_required(*EDITORS)
def update(article_id: int):
    session = db.session()
    article = _article(article_id, lock=True)
    try:
        operations.edit(session, current_user.actor, article, _article_data(article), clock().now())
        session.commit()
    except DomainError as exc:
        session.rollback()
        return _refused_edit(article_id, exc, exc.status)
    except IntegrityError:
        session.rollback()
        return _refused_edit(article_id, _changed_at_once(), 409)
    flash(_("Article saved as version %(version)s.", version=article.version), "success")
    return redirect(url_for("kb_pages.show", article_id=article_id))


# --- from the order page ------------------------------------------------------------------------

@bp.post("/from-order/<number>")
@roles_required(*EDITORS)
def from_order(number: str):
    from .orders import render_order

    session = db.session()
    try:
        order = actions.get_order(session, number)
    except NotFound:
        abort(404)
    try:
        article = operations.draft_from_order(session, current_user.actor, order, {}, clock().now())
        session.commit()
    except DomainError as exc:
        session.rollback()
        return render_order(actions.get_order(session, number), error=exc, failed_action="kb_draft",
                            status=exc.status)
    flash(_("The reply of order %(number)s is now a draft article: check it and ask a supervisor to publish it.",
            number=number), "success")
    return redirect(url_for("kb_pages.show", article_id=article.id))


# --- supervisors: reports and synonyms ----------------------------------------------------------

@bp.get("/reports")
@roles_required(*kb_listing.MANAGERS)
def reports():
    session = db.session()
    raw = request.args.get("since", "")
    try:
        day = datetime.strptime(raw, "%Y-%m-%d").date() if raw else None
    except ValueError:
        day = None
    since = datetime.combine(day, time(0), tzinfo=timezone()) if day else None
    return render_reports(session, since, day)


def render_reports(session, since=None, day=None, error: DomainError | None = None, status: int = 200):
    return render_template("kb/reports.html", since=day.isoformat() if day else "",
                           most_used=usage.most_used(session, since, REPORT_LIMIT),
                           not_found=usage.not_found(session, since, REPORT_LIMIT),
                           calibration=calibration.standing(session),
                           past_queries=len(past_queries(session)), minimum=calibration.MIN_QUERIES,
                           error=error), status


@bp.post("/calibrate")
@roles_required(*kb_listing.MANAGERS)
def calibrate():
    """Calibrate search now on the past searches and orders' requests (the nightly job's work)."""
    session = db.session()
    try:
        done = calibration.calibrate(session, past_queries(session), clock().now())
        session.commit()
    except DomainError as exc:
        session.rollback()
        return render_reports(session, error=exc, status=exc.status)
    flash(_("Search calibrated on %(queries)s past queries: %(articles)s articles have a pull.",
            queries=done.queries, articles=done.articles), "success")
    return redirect(url_for("kb_pages.reports"))


def render_synonyms(*, error: DomainError | str | None = None, typed: str = "", status: int = 200):
    groups = synonyms.groups(db.session())
    return render_template("kb/synonyms.html", groups=groups, error=error, typed=typed), status


@bp.get("/synonyms")
@roles_required(*kb_listing.MANAGERS)
def synonym_list():
    return render_synonyms()


@bp.post("/synonyms")
@roles_required(*kb_listing.MANAGERS)
def add_synonyms():
    session = db.session()
    typed = request.form.get("terms", "")
    try:
        terms = [t for t in WORD_SEPARATORS.split(typed) if t]
        group = synonyms.add_group(session, current_user.actor, terms, clock().now())
        shown = "、".join(group.terms.split())
        session.commit()
    except DomainError as exc:
        session.rollback()
        return render_synonyms(error=exc, typed=typed, status=exc.status)
    flash(_("Synonyms added: %(terms)s. Searches use them now.", terms=shown), "success")
    return redirect(url_for("kb_pages.synonym_list"))


@bp.post("/synonyms/<int:group_id>/delete")
@roles_required(*kb_listing.MANAGERS)
def delete_synonyms(group_id: int):
    session = db.session()
    try:
        synonyms.delete_group(session, current_user.actor, group_id, clock().now())
        session.commit()
    except DomainError as exc:
        session.rollback()
        return render_synonyms(error=exc, status=exc.status)
    flash(_("Synonym group removed."), "success")
    return redirect(url_for("kb_pages.synonym_list"))
