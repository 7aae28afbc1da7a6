"""Open311 answers as JSON or XML (GeoReport v2: XML required, JSON optional; UTF-8).

Both come from the same Python structure, so they cannot drift apart. XML follows the spec's
element names: a list under key `attributes` becomes <attributes><attribute>…</attribute>…, and
the root's items are named by the caller (<services><service>, <service_requests><request>).
"""
from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from typing import Any

from flask import Response

# Element names of list items inside a record (the Spark convention's singulars).
ITEM_NAMES = {"attributes": "attribute", "values": "value", "endpoints": "endpoint", "formats": "format"}
CONTENT_TYPES = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _fill(element: ET.Element, value: Any) -> None:
    if isinstance(value, dict):
        for key, child in value.items():
            _fill(ET.SubElement(element, key), child)
    elif isinstance(value, list):
        name = ITEM_NAMES.get(element.tag, "item")
        for child in value:
            _fill(ET.SubElement(element, name), child)
    else:
        element.text = _text(value)


def to_xml(root: str, item: str | None, body: Any) -> bytes:
    element = ET.Element(root)
    if item is None:
        _fill(element, body)
    else:
        for record in body:
            _fill(ET.SubElement(element, item), record)
    return ET.tostring(element, encoding="utf-8", xml_declaration=True)


def render(fmt: str, root: str, item: str | None, body: Any, status: int = 200) -> Response:
    """`body` is a list of records (named `item` in XML under `root`) or one record (`item` None)."""
    if fmt == "xml":
        data = to_xml(root, item, body)
    else:
        data = json.dumps(body, ensure_ascii=False).encode()
    return Response(data, status=status, content_type=CONTENT_TYPES[fmt])


def errors(fmt: str, status: int, description: str) -> Response:
    return render(fmt, "errors", "error", [{"code": status, "description": description}], status)
