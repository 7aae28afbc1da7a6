"""/api/v1/kb: search and suggestions for the desk, articles for their editors, usage lists.

Agents, leaders and departments searching get published articles in effect today only; a
supervisor may ask for drafts or retired ones (`status`). Every search is logged, so that
searches nobody clicked or answered from show supervisors what is missing.
"""
from __future__ import annotations

from datetime import datetime, time

from flask import g, jsonify, request
from sqlalchemy import select

from knowledge_base import operations, synonyms, usage
from knowledge_base.models import Article, ArticleStatus
from knowledge_base.search import MAX_QUERY, Filters, category_scope, search
from workorders import actions
from workorders.access import ensure_visible
from workorders.deadlines import local_date
from workorders.errors import Forbidden, Invalid, NotFound
from workorders.models import Category, Department
from workorders.vocabulary import Role

from .. import db
from ..runtime import clock, timezone
from . import bp, json_body
from .openapi import document

MANAGERS = {Role.supervisor, Role.admin}
STATUS_FILTERS = ("current", "published", "draft", "retired", "any")
MAX_LIMIT = 50


def _only(*names: str) -> None:
    unknown = sorted(set(request.args) - set(names))
    if unknown:
        raise Invalid(f"unknown parameter(s): {', '.join(unknown)}; parameters are: {', '.join(names)}")


def _limit(default: int = 10, high: int = MAX_LIMIT) -> int:
    raw = request.args.get("limit")
    if raw is None:
        return default
    if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= high:
        raise Invalid(f"'limit' must be a whole number from 1 to {high}")
    return int(raw)


def _today():
    return local_date(clock().now(), timezone())


def _codes(session, model) -> dict[int, str]:
    return dict(session.execute(select(model.id, model.code)).all())


def article_json(article: Article, categories: dict[int, str], departments: dict[int, str]) -> dict:
    tz = timezone()
    return {
        "id": article.id, "title": article.title, "question": article.question, "answer": article.answer,
        "category": categories.get(article.category_id), "department": departments.get(article.department_id),
        "keywords": article.keyword_list(), "status": article.status,
        "effective_on": article.effective_on.isoformat() if article.effective_on else None,
        "expires_on": article.expires_on.isoformat() if article.expires_on else None,
        "usage_count": article.usage_count, "version": article.version,
        "created_at": article.created_at.astimezone(tz).isoformat(),
        "updated_at": article.updated_at.astimezone(tz).isoformat(),
        "published_at": article.published_at.astimezone(tz).isoformat() if article.published_at else None,
    }


def _article_response(session, article: Article, status: int = 200):
    body = article_json(article, _codes(session, Category), _codes(session, Department))
    session.commit()
    return jsonify(body), status


# --- search and suggestions -----------------------------------------------------------------

def _filters(session, status: str) -> Filters:
    actor = g.actor
    if status not in STATUS_FILTERS:
        raise Invalid(f"'status' must be one of: {', '.join(STATUS_FILTERS)}")
    department_ids = None
    if status != "current" and actor.role not in MANAGERS:
        if not (actor.role == Role.department and status == "draft"):
            raise Forbidden("only supervisors search drafts, retired or out-of-date articles")
        department_ids = frozenset({actor.department_id})
    args = request.args
    if args.get("category"):
        category = operations.find_category(session, args["category"])
        tree = session.execute(select(Category.id, Category.parent_id)).all()
        category_ids = category_scope(tree, category.id)
    else:
        category_ids = None
    if args.get("department"):
        dept = session.scalar(select(Department).where(Department.code == args["department"]))
        if dept is None:
            raise Invalid(f"unknown department '{args['department']}'")
        if department_ids is not None and dept.id not in department_ids:
            raise Forbidden("a department searches its own drafts only")
        department_ids = frozenset({dept.id})
    if status == "current":
        return Filters.for_agents(_today(), category_ids=category_ids, department_ids=department_ids)
    statuses = ArticleStatus.ALL if status == "any" else (status,)
    return Filters(statuses=statuses, category_ids=category_ids, department_ids=department_ids)


def _results(session, kind: str, query: str, filters: Filters, limit: int, order_id=None):
    hits = search(session, query, filters, limit)
    log = usage.log_search(session, kind=kind, query=query, user_id=g.actor.user_id, order_id=order_id,
                           article_ids=[h.article.id for h in hits], now=clock().now())
    body = {
        "search_id": log.id,
        "results": [{"id": h.article.id, "title": h.article.title, "title_html": h.title_html,
                     "snippet": h.snippet, "score": h.score, "status": h.article.status,
                     "usage_count": h.article.usage_count} for h in hits],
    }
    session.commit()
    return jsonify(body)


@bp.get("/kb/search")
def kb_search():
    _only("q", "limit", "category", "department", "status")
    query = (request.args.get("q") or "").strip()
    if not query:
        raise Invalid("'q' is required: the words to search for")
    if len(query) > MAX_QUERY:
        raise Invalid(f"'q' is too long ({len(query)} characters; at most {MAX_QUERY})")
    session = db.session()
    filters = _filters(session, request.args.get("status", "current"))
    return _results(session, "search", query, filters, _limit())


@bp.get("/kb/suggest")
def kb_suggest():
    _only("order", "limit")
    number = (request.args.get("order") or "").strip()
    if not number:
        raise Invalid("'order' is required: the number of the order to suggest articles for")
    session = db.session()
    order = actions.get_order(session, number)
    ensure_visible(session, g.actor, order)
    return _results(session, "suggest", order.content, Filters.for_agents(_today()), _limit(5), order.id)


@bp.post("/kb/searches/<int:search_id>/click")
def kb_click(search_id: int):
    session = db.session()
    data = json_body()
    article_id = data.get("article_id") if isinstance(data, dict) else None
    if isinstance(article_id, bool) or not isinstance(article_id, int):
        raise Invalid("'article_id' is required: the result that was opened")
    usage.record_click(session, search_id, article_id, g.actor.user_id, clock().now())
    session.commit()
    return jsonify({"search_id": search_id, "clicked_article_id": article_id})


# --- articles -------------------------------------------------------------------------------

def _readable(session, article_id: int, for_update: bool = False) -> Article:
    article = operations.get_article(session, article_id, for_update)
    if not operations.can_read(g.actor, article, _today()):
        # Not a 403: whether a draft exists is none of the front desk's business.
        raise NotFound(f"no knowledge-base article {article_id}")
    return article


@bp.get("/kb/articles")
def kb_list():
    _only("status", "category", "department", "limit", "offset")
    session = db.session()
    filters = _filters(session, request.args.get("status", "current"))
    query = select(Article).where(filters.where())
    raw_offset = request.args.get("offset", "0")
    if not (raw_offset.isascii() and raw_offset.isdigit()) or int(raw_offset) > 1_000_000_000:
        raise Invalid("'offset' must be a whole number from 0 to 1000000000")
    limit = _limit(50, 500)
    rows = session.scalars(query.order_by(Article.id).limit(limit).offset(int(raw_offset)))
    categories, departments = _codes(session, Category), _codes(session, Department)
    return jsonify({"articles": [article_json(a, categories, departments) for a in rows],
                    "limit": limit, "offset": int(raw_offset)})


@bp.post("/kb/articles")
def kb_create():
    session = db.session()
    article = operations.create_draft(session, g.actor, json_body(), clock().now())
    return _article_response(session, article, 201)


@bp.get("/kb/articles/<int:article_id>")
def kb_get(article_id: int):
    session = db.session()
    body = article_json(_readable(session, article_id), _codes(session, Category), _codes(session, Department))
    return jsonify(body)


@bp.patch("/kb/articles/<int:article_id>")
def kb_edit(article_id: int):
    session = db.session()
    article = _readable(session, article_id, for_update=True)
    article = operations.edit(session, g.actor, article, json_body(), clock().now())
    return _article_response(session, article)


@bp.post("/kb/articles/<int:article_id>/publish")
def kb_publish(article_id: int):
    session = db.session()
    article = _readable(session, article_id, for_update=True)
    article = operations.publish(session, g.actor, article, clock().now(), json_body())
    return _article_response(session, article)


@bp.post("/kb/articles/<int:article_id>/retire")
def kb_retire(article_id: int):
    session = db.session()
    article = _readable(session, article_id, for_update=True)
    article = operations.retire(session, g.actor, article, clock().now(), json_body())
    return _article_response(session, article)


@bp.get("/kb/articles/<int:article_id>/versions")
def kb_versions(article_id: int):
    session = db.session()
    article = _readable(session, article_id)
    if g.actor.role not in MANAGERS and not (g.actor.role == Role.department
                                              and article.department_id == g.actor.department_id):
        raise Forbidden("the version history is for the article's editors")
    tz = timezone()
    categories, departments = _codes(session, Category), _codes(session, Department)
    return jsonify({"versions": [{
        "version": v.version, "change": v.change, "editor": v.editor_name, "editor_role": v.editor_role,
        "at": v.at.astimezone(tz).isoformat(), "title": v.title, "question": v.question, "answer": v.answer,
        "category": categories.get(v.category_id), "department": departments.get(v.department_id),
        "keywords": [k for k in v.keywords.split(",") if k], "status": v.status,
        "effective_on": v.effective_on.isoformat() if v.effective_on else None,
        "expires_on": v.expires_on.isoformat() if v.expires_on else None,
    } for v in operations.versions(session, article)]})


@bp.post("/kb/articles/from-order/<number>")
def kb_from_order(number: str):
    session = db.session()
    order = actions.get_order(session, number)
    article = operations.draft_from_order(session, g.actor, order, json_body(), clock().now())
    return _article_response(session, article, 201)


# --- supervisors' lists and synonyms ----------------------------------------------------------

def _manager() -> None:
    if g.actor.role not in MANAGERS:
        raise Forbidden("the knowledge-base reports are for supervisors")


def _since() -> datetime | None:
    raw = request.args.get("since")
    if raw is None:
        return None
    try:
        day = datetime.strptime(raw, "%Y-%m-%d").date()
    except ValueError:
        raise Invalid("'since' must be a date as YYYY-MM-DD") from None
    return datetime.combine(day, time(0), tzinfo=timezone())


@bp.get("/kb/reports/most-used")
def kb_most_used():
    _only("since", "limit")
    _manager()
    session = db.session()
    rows = usage.most_used(session, _since(), _limit(20, 200))
    return jsonify({"articles": [{"id": r.article.id, "title": r.article.title, "status": r.article.status,
                                  "uses": r.uses, "usage_count": r.article.usage_count} for r in rows]})


@bp.get("/kb/reports/not-found")
def kb_not_found():
    _only("since", "limit")
    _manager()
    session = db.session()
    tz = timezone()
    rows = usage.not_found(session, _since(), _limit(20, 200))
    return jsonify({"queries": [{"query": r.query, "searches": r.searches, "without_results": r.empty,
                                 "last_at": r.last_at.astimezone(tz).isoformat()} for r in rows]})


@bp.get("/kb/synonyms")
def kb_synonyms():
    session = db.session()
    return jsonify({"groups": [{"id": s.id, "terms": s.terms.split()} for s in synonyms.groups(session)]})


@bp.post("/kb/synonyms")
def kb_add_synonyms():
    session = db.session()
    data = json_body()
    group = synonyms.add_group(session, g.actor, data.get("terms") if isinstance(data, dict) else None,
                               clock().now())
    body = {"id": group.id, "terms": group.terms.split()}
    session.commit()
    return jsonify(body), 201


@bp.delete("/kb/synonyms/<int:group_id>")
def kb_delete_synonyms(group_id: int):
    session = db.session()
    synonyms.delete_group(session, g.actor, group_id, clock().now())
    session.commit()
    return "", 204


# --- the OpenAPI document -------------------------------------------------------------------

def _error(*codes: int) -> dict:
    text = {401: "no or invalid token", 403: "role or department not allowed", 404: "unknown article, order or search",
            409: "not allowed in this state, or changed by someone else", 422: "invalid input or unknown parameter"}
    schema = {"$ref": "#/components/schemas/Error"}
    return {str(c): {"description": text[c], "content": {"application/json": {"schema": schema}}} for c in codes}


def _query(name: str, description: str, required: bool = False, schema: dict | None = None) -> dict:
    return {"name": name, "in": "query", "required": required, "description": description,
            "schema": schema or {"type": "string"}}


ID_PATH = {"name": "article_id", "in": "path", "required": True, "schema": {"type": "integer"}}
RESULTS = {"description": "best first", "content": {"application/json": {"schema": {
    "type": "object", "required": ["results", "search_id"], "properties": {
        "search_id": {"type": "integer", "description": "send to /kb/searches/{id}/click when a result is opened"},
        "results": {"type": "array", "items": {"type": "object", "required": ["id", "title", "snippet", "score"],
                                               "properties": {
            "id": {"type": "integer"}, "title": {"type": "string"},
            "title_html": {"type": "string", "description": "escaped HTML, matches in <mark>"},
            "snippet": {"type": "string", "description": "escaped HTML, matches in <mark>"},
            "score": {"type": "number", "description": "relative; ranks the results, may be negative"},
            "status": {"type": "string"}, "usage_count": {"type": "integer"}}}},
    }}}}}
ARTICLE_FIELDS_SCHEMA = {"type": "object", "additionalProperties": False, "properties": {
    "title": {"type": "string", "maxLength": 200}, "question": {"type": "string"}, "answer": {"type": "string"},
    "category": {"type": "string", "description": "category code"},
    "department": {"type": "string", "description": "owning department code"},
    "keywords": {"oneOf": [{"type": "array", "items": {"type": "string"}}, {"type": "string"}]},
    "effective_on": {"type": "string", "format": "date"}, "expires_on": {"type": "string", "format": "date"},
    "version": {"type": "integer", "description": "the version you edited; 409 if it changed"}}}
ARTICLE = {"description": "the article", "content": {"application/json": {"schema": {"type": "object"}}}}
LIMIT = _query("limit", "how many results (1–50)", schema={"type": "integer", "minimum": 1, "maximum": MAX_LIMIT})
STATUS = _query("status", "current (default: published and in effect today), published, draft, retired, any; "
                "other than current for supervisors (departments: their own drafts)",
                schema={"type": "string", "enum": list(STATUS_FILTERS)})

document("/kb/search", {"get": {
    "summary": "Search the knowledge base (Chinese-aware, ranked, highlighted); unknown parameters → 422",
    "parameters": [_query("q", "the words to search for", True), LIMIT, _query("category", "category code or name"),
                   _query("department", "owning department code"), STATUS],
    "responses": {"200": RESULTS, **_error(401, 403, 422)}}})
document("/kb/suggest", {"get": {
    "summary": "Articles for an order's content, for a direct answer (published and in effect only)",
    "parameters": [_query("order", "order number", True), LIMIT],
    "responses": {"200": RESULTS, **_error(401, 403, 404, 422)}}})
document("/kb/searches/{search_id}/click", {"post": {
    "summary": "Record that a result of a search was opened",
    "parameters": [{"name": "search_id", "in": "path", "required": True, "schema": {"type": "integer"}}],
    "requestBody": {"content": {"application/json": {"schema": {"type": "object", "required": ["article_id"],
                                                                "properties": {"article_id": {"type": "integer"}}}}}},
    "responses": {"200": {"description": "recorded"}, **_error(401, 404, 422)}}})
document("/kb/articles", {
    "get": {"summary": "List articles", "parameters": [STATUS, _query("category", "category code or name"),
                                                        _query("department", "department code"), LIMIT,
                                                        _query("offset", "skip this many")],
            "responses": {"200": {"description": "articles by id"}, **_error(401, 403, 422)}},
    "post": {"summary": "Propose a draft article (supervisors; departments for their own department)",
             "requestBody": {"content": {"application/json": {"schema": ARTICLE_FIELDS_SCHEMA}}},
             "responses": {"201": ARTICLE, **_error(401, 403, 422)}}})
document("/kb/articles/{article_id}", {
    "get": {"summary": "One article", "parameters": [ID_PATH], "responses": {"200": ARTICLE, **_error(401, 404)}},
    "patch": {"summary": "Edit an article (a new version); departments edit their own drafts only",
              "parameters": [ID_PATH], "requestBody": {"content": {"application/json": {"schema": ARTICLE_FIELDS_SCHEMA}}},
              "responses": {"200": ARTICLE, **_error(401, 403, 404, 409, 422)}}})
for _action, _who in (("publish", "Publish an article (supervisors)"), ("retire", "Retire an article (supervisors)")):
    document(f"/kb/articles/{{article_id}}/{_action}", {"post": {
        "summary": _who, "parameters": [ID_PATH], "responses": {"200": ARTICLE, **_error(401, 403, 404, 409)}}})
document("/kb/articles/{article_id}/versions", {"get": {
    "summary": "Every version of an article: who, when, what it said", "parameters": [ID_PATH],
    "responses": {"200": {"description": "oldest first"}, **_error(401, 403, 404)}}})
document("/kb/articles/from-order/{number}", {"post": {
    "summary": "Turn the department's reply on an order into a draft article (the replying department or a supervisor)",
    "parameters": [{"name": "number", "in": "path", "required": True, "schema": {"type": "string"}}],
    "requestBody": {"content": {"application/json": {"schema": {"type": "object", "additionalProperties": False,
                                                                "properties": {"title": {"type": "string"},
                                                                               "keywords": {"type": "array"},
                                                                               "category": {"type": "string"}}}}}},
    "responses": {"201": ARTICLE, **_error(401, 403, 404, 409, 422)}}})
document("/kb/reports/most-used", {"get": {
    "summary": "Articles most used for direct answers (supervisors)",
    "parameters": [_query("since", "YYYY-MM-DD", schema={"type": "string", "format": "date"}), LIMIT],
    "responses": {"200": {"description": "most used first"}, **_error(401, 403, 422)}}})
document("/kb/reports/not-found", {"get": {
    "summary": "Searches with no click and no answer after them: the gaps to fill (supervisors)",
    "parameters": [_query("since", "YYYY-MM-DD", schema={"type": "string", "format": "date"}), LIMIT],
    "responses": {"200": {"description": "most frequent first"}, **_error(401, 403, 422)}}})
document("/kb/synonyms", {
    "get": {"summary": "Synonym groups used to widen queries", "responses": {"200": {"description": "groups"}}},
    "post": {"summary": "Add a synonym group (supervisors)",
             "requestBody": {"content": {"application/json": {"schema": {"type": "object", "required": ["terms"],
                                                                         "properties": {"terms": {"type": "array"}}}}}},
             "responses": {"201": {"description": "the group"}, **_error(401, 403, 422)}}})
document("/kb/synonyms/{group_id}", {"delete": {
    "summary": "Remove a synonym group (supervisors)",
    "parameters": [{"name": "group_id", "in": "path", "required": True, "schema": {"type": "integer"}}],
    "responses": {"204": {"description": "removed"}, **_error(401, 403, 404)}}})
