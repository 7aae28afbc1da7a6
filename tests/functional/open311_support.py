"""Helpers of the Open311 tests: the official JSON schemas, and a client written from the spec."""
from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from jsonschema import Draft4Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

SCHEMAS = Path(__file__).resolve().parents[3] / "shared" / "data" / "open311"


def _load(name: str) -> dict:
    return json.loads((SCHEMAS / name).read_text(encoding="utf-8"))


def validator(name: str) -> Draft4Validator:
    """A draft-04 validator of one official schema; `requests.json` refers to `request.json`."""
    if not SCHEMAS.is_dir():
        pytest.fail(f"the official Open311 schemas are missing at {SCHEMAS}")
    registry = Registry().with_resources(
        (file.name, Resource.from_contents(_load(file.name), default_specification=DRAFT4))
        for file in SCHEMAS.glob("*.json")
    )
    return Draft4Validator(_load(name), registry=registry, format_checker=Draft4Validator.FORMAT_CHECKER)


def valid(name: str, body) -> None:
    errors = sorted(validator(name).iter_errors(body), key=str)
    assert not errors, [f"{list(e.absolute_path)}: {e.message}" for e in errors]


class Open311Client:
    """What an Open311 app knows: the endpoint, the format, an api_key, and GeoReport v2.

    It speaks XML, the format the spec requires; each method returns plain dicts.
    """

    def __init__(self, http, endpoint: str = "/open311/v2", api_key: str | None = None):
        self.http, self.endpoint, self.api_key = http, endpoint, api_key

    def _records(self, response, item: str = "request") -> list[dict]:
        assert response.headers["Content-Type"].startswith("text/xml"), response.headers["Content-Type"]
        root = ET.fromstring(response.data)
        if response.status_code >= 400:
            assert root.tag == "errors"
            raise Open311Error(response.status_code, [e.findtext("description") for e in root.iter("error")])
        return [{child.tag: child.text for child in record} for record in root.findall(item)]

    def services(self) -> list[dict]:
        return self._records(self.http.get(f"{self.endpoint}/services.xml"), "service")

    def definition(self, code: str) -> ET.Element:
        response = self.http.get(f"{self.endpoint}/services/{code}.xml")
        assert response.status_code == 200
        return ET.fromstring(response.data)

    def post(self, **fields) -> dict:
        form = {"api_key": self.api_key, **fields}
        response = self.http.post(f"{self.endpoint}/requests.xml", data=form,
                                  content_type="application/x-www-form-urlencoded; charset=utf-8")
        return self._records(response)[0]

    def token(self, token: str) -> dict:
        return self._records(self.http.get(f"{self.endpoint}/tokens/{token}.xml"))[0]

    def request(self, request_id: str) -> dict:
        return self._records(self.http.get(f"{self.endpoint}/requests/{request_id}.xml"))[0]

    def requests(self, **filters) -> list[dict]:
        return self._records(self.http.get(f"{self.endpoint}/requests.xml", query_string=filters))


class Open311Error(Exception):
    def __init__(self, status: int, descriptions: list[str]):
        super().__init__(f"{status}: {descriptions}")
        self.status, self.descriptions = status, descriptions
