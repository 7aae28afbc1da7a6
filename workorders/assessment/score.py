"""Scores and ranks from a department report of the roll-up (pure: no database, no clock)."""
from __future__ import annotations

from dataclasses import dataclass, field

from ..stats.figures import Report, Row
from .schemes import RATES, Scheme


@dataclass
class Assessed:
    row: Row
    score: float
    parts: dict[str, dict]  # figure → {"value", "weight" or "per", "points" (negative for deductions)}
    rank: int = 0
    peers: int = 0
    children: list[Assessed] = field(default_factory=list)

    @property
    def code(self) -> str:
        return self.row.code


def score_of(figures: dict, scheme: Scheme) -> tuple[float, dict[str, dict]] | None:
    """The score of one department's figures (`Figures.as_dict()`); None if no weighted rate has a value."""
    valued = {name: w for name, w in scheme.weights.items() if figures.get(name) is not None}
    total_weight = sum(valued.values())
    if not total_weight:
        return None
    parts: dict[str, dict] = {}
    base = 0.0
    for name in RATES:
        if name not in scheme.weights:
            continue
        value = figures.get(name)
        points = 100 * scheme.weights[name] * value / total_weight if value is not None else None
        parts[name] = {"value": value, "weight": scheme.weights[name],
                       "points": round(points, 2) if points is not None else None}
        base += points or 0
    minus = 0.0
    for name, per in scheme.deductions.items():
        value = figures.get(name) or 0
        amount = per * (100 * value if name == "overdue_rate" else value)
        parts[name] = {"value": figures.get(name), "per": per, "points": -round(amount, 2)}
        minus += amount
    if scheme.max_deduction and minus > scheme.max_deduction:
        minus = scheme.max_deduction
        parts["deduction_cap"] = {"value": scheme.max_deduction, "points": None}
    return max(0.0, round(base - minus, 2)), parts


def assess(report: Report, scheme: Scheme) -> list[Assessed]:
    """Every department of the report with a score, ranked among its peers; the top level first.

    The result is a tree: the top-level departments, best first, each with its ranked sub-units in
    `children`. `flatten` lists every node.
    """
    if report.group != "department":
        raise ValueError("an assessment needs the department grouping")
    by_parent: dict[str | None, list[Assessed]] = {}
    nodes: dict[str, Assessed] = {}
    for row in report.rows:
        if not row.key:
            continue  # the front desk ("not dispatched") is not a department
        scored = score_of(row.figures.as_dict(), scheme)
        if scored is None:
            continue
        node = Assessed(row, *scored)
        nodes[row.key] = node
        by_parent.setdefault(row.parent if row.depth else None, []).append(node)
    for peers in by_parent.values():
        _rank(peers)
    for parent, peers in by_parent.items():
        if parent is not None and parent in nodes:
            nodes[parent].children = peers
    return by_parent.get(None, [])


def _rank(peers: list[Assessed]) -> None:
    peers.sort(key=lambda a: (-a.score, a.code))
    for i, node in enumerate(peers):
        node.rank = peers[i - 1].rank if i and peers[i - 1].score == node.score else i + 1
        node.peers = len(peers)


def flatten(tree: list[Assessed]) -> list[Assessed]:
    out: list[Assessed] = []
    for node in tree:
        out.append(node)
        out.extend(flatten(node.children))
    return out


def find(tree: list[Assessed], key: str) -> Assessed | None:
    return next((a for a in flatten(tree) if a.row.key == key), None)
