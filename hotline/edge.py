"""The edge every request passes first: text the database cannot store is refused here.

PostgreSQL refuses NUL characters in text, and no database can store a lone UTF-16 surrogate
(JSON's "\\ud83d"), so such input would end as a 500 deep inside a view. One check at the app's
edge covers every entry point — pages, JSON API, portal, Open311, Twilio webhooks — before any
view, authentication or signature check runs. Input is refused, never altered: a Twilio
signature is computed over the parameters as sent, so a cleaned parameter set would be a
different request. A JSON body nested deeper than Python's parser can follow is refused too,
and an `<int:…>` in a URL beyond what a database integer holds is a 404.
"""
from __future__ import annotations

from itertools import chain
from typing import Any

from flask import Flask, jsonify, request
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import NotFound, RequestEntityTooLarge
from werkzeug.routing import IntegerConverter

MESSAGE = "the request contains characters that cannot be stored (NUL or an unpaired surrogate)"
TOO_DEEP = "the JSON body is nested too deeply"


def is_storable(text: str) -> bool:
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate
        return False
    return True


def _all_storable(fields: MultiDict) -> bool:
    """Every key and value; checked as one text, which holds a NUL or a surrogate iff a part does."""
    return is_storable("".join(chain.from_iterable(fields.items(multi=True))))


def _json_storable(value: Any) -> bool:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if not is_storable(item):
                return False
        elif isinstance(item, dict):
            for key, child in item.items():
                if not is_storable(key):
                    return False
                stack.append(child)
        elif isinstance(item, list):
            stack.extend(item)
    return True


def _problem() -> str | None:
    """Why the request cannot be taken, or None."""
    if not is_storable(request.path):
        return MESSAGE
    if request.query_string and not _all_storable(request.args):
        return MESSAGE
    if request.method in ("POST", "PUT", "PATCH", "DELETE"):
        if request.is_json:
            try:
                body = request.get_json(silent=True)
            except RecursionError:
                return TOO_DEEP
            if not _json_storable(body):
                return MESSAGE
        else:
            try:
                form = request.form
            except RequestEntityTooLarge:
                # An upload larger than a form may be: the view that takes uploads raises its own
                # limit and refuses what exceeds it with a message; nothing has been read yet.
                return None
            if not _all_storable(form):
                return MESSAGE
            for key, upload in request.files.items(multi=True):
                if not (is_storable(key) and is_storable(upload.filename or "")):
                    return MESSAGE
    return None


def _refusal(message: str):
    path = request.path
    if path.startswith("/api/"):
        return jsonify({"error": message}), 400
    if path.startswith("/open311/"):
        from .open311.formats import errors

        return errors("xml" if path.endswith(".xml") else "json", 400, message)
    if path.startswith("/ivr/"):
        return message, 400, {"Content-Type": "text/plain; charset=utf-8"}
    from .web.errors import error_page

    return error_page(400)  # the page explains in the reader's language


def refuse_unstorable_input():
    message = _problem()
    return _refusal(message) if message else None


class DatabaseInteger(IntegerConverter):
    """`<int:…>` in a URL: a number a database integer column can hold; a bigger one is a 404
    (nothing can have that id), whatever the method."""

    def to_python(self, value: str) -> int:
        number = super().to_python(value)
        if number > 2**31 - 1:
            raise NotFound()
        return number


def init_app(app: Flask) -> None:
    # Before any blueprint registers its routes, so that every <int:…> is bounded.
    app.url_map.converters["int"] = DatabaseInteger
    app.before_request_funcs.setdefault(None, []).insert(0, refuse_unstorable_input)
