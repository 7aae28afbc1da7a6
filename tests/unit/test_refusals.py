"""A refusal is an English template and its parameters: the API reads the English, the pages translate."""
from __future__ import annotations

import ast
import re
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from workorders.citizen.query_limits import TooManyAttempts
from workorders.errors import Conflict, Forbidden, Invalid, NotFound

ROOT = Path(__file__).resolve().parents[2]
REFUSALS = {"DomainError", "NotFound", "Forbidden", "Conflict", "Invalid", "TooManyAttempts"}
# Where refusals are raised that people read on the pages; the machine interfaces (hotline/api,
# hotline/open311) answer in English only.
TRANSLATED = ["workorders", "ivr", "knowledge_base", "hotline/web", "hotline/portal", "hotline/stats_web"]


def test_the_message_is_the_template_filled_in_and_both_are_kept():
    refusal = Invalid("unknown department '%(code)s'", code="nowhere")
    assert refusal.message == str(refusal) == "unknown department 'nowhere'"
    assert refusal.template == "unknown department '%(code)s'" and refusal.params == {"code": "nowhere"}


def test_each_kind_of_refusal_keeps_its_status():
    assert [cls("x").status for cls in (NotFound, Forbidden, Conflict, Invalid)] == [404, 403, 409, 422]
    too_many = TooManyAttempts("try again in %(minutes)s minutes", timedelta(minutes=15), minutes=15)
    assert (too_many.status, too_many.message, too_many.retry_after) == (429, "try again in 15 minutes",
                                                                          timedelta(minutes=15))


def test_the_english_writes_lists_with_commas_and_times_in_iso_8601():
    closed = datetime(2026, 3, 2, 23, 59, 59, tzinfo=timezone(timedelta(hours=8)))
    refusal = Conflict("closed at %(closed_at)s, on %(day)s; from: %(states)s", closed_at=closed,
                       day=date(2026, 3, 2), states=["returned", "dispatched"])
    assert refusal.message == "closed at 2026-03-02T23:59:59+08:00, on 2026-03-02; from: returned, dispatched"


def test_a_template_without_parameters_is_the_message_as_written():
    assert Invalid("100% sure").message == "100% sure"


def test_a_refusal_quoted_by_another_reads_as_its_english_message():
    row = Invalid("'%(field)s' is required", field="answer")
    assert Invalid("line %(line)s: %(refusal)s", line=4, refusal=row).message == "line 4: 'answer' is required"


def refusals_in(path: Path):
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call):
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            if name in REFUSALS:
                yield node


def sources():
    for folder in TRANSLATED:
        yield from sorted((ROOT / folder).rglob("*.py"))


def refusal_calls() -> list[tuple[Path, ast.Call]]:
    return [(path, call) for path in sources() for call in refusals_in(path)]


def test_the_check_below_finds_the_refusals_it_is_about():
    """Each refusal is one case below; a collector that found none would make them all vacuous."""
    calls = refusal_calls()
    assert len(calls) > 100
    assert {path.relative_to(ROOT).parts[0] for path, _ in calls} >= {"workorders", "ivr", "knowledge_base", "hotline"}


@pytest.mark.parametrize(("path", "call"), refusal_calls(),
                         ids=lambda v: str(v.relative_to(ROOT)) if isinstance(v, Path) else str(v.lineno))
def test_every_refusal_is_a_literal_template_that_pybabel_can_extract(path, call):
    """An f-string is invisible to `pybabel extract`: its refusal would stay English on the pages."""
    where = f"{path.relative_to(ROOT)}:{call.lineno}"
    assert call.args and isinstance(call.args[0], ast.Constant) and isinstance(call.args[0].value, str), where
    template = call.args[0].value
    named = {keyword.arg for keyword in call.keywords}
    assert set(re.findall(r"%\((\w+)\)", template)) == named, where
    if named:
        assert not re.search(r"%(?!\(\w+\)s|%)", template), f"{where}: a lone '%' must be written '%%'"
