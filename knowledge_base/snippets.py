"""Highlighted snippets: the passage of an article where the query's words gather.

The text is HTML-escaped piece by piece and only our own <mark> tags are added, so whatever an
article or a query contains can never become markup.
"""
from __future__ import annotations

from html import escape

from .text import normalize_keeping_offsets

WIDTH = 120


def matches(text: str, marks: list[str]) -> list[tuple[int, int]]:
    """Non-overlapping (start, end) spans of the marked words, longest words first."""
    haystack = normalize_keeping_offsets(text)
    taken = bytearray(len(text))
    spans = []
    for word in marks:
        start = haystack.find(word)
        while start != -1:
            end = start + len(word)
            if not any(taken[start:end]):
                spans.append((start, end))
                taken[start:end] = b"\x01" * (end - start)
            start = haystack.find(word, end)
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):  # touching matches read as one
        if merged and merged[-1][1] == start:
            merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def best_window(text: str, spans: list[tuple[int, int]], width: int) -> tuple[int, int]:
    """The window of `width` characters holding the most distinct matched words."""
    if len(text) <= width or not spans:
        return 0, min(len(text), width)
    best, best_start = -1, 0
    for i, (start, _) in enumerate(spans):
        inside = {text[s:e] for s, e in spans[i:] if e <= start + width}
        if len(inside) > best:
            best, best_start = len(inside), start
    # Show a little of what leads up to the first match.
    start = max(0, min(best_start - width // 6, len(text) - width))
    return start, start + width


def snippet(text: str, marks: list[str], width: int = WIDTH) -> str:
    text = " ".join((text or "").split())
    spans = matches(text, marks)
    start, end = best_window(text, spans, width)
    out = ["…" if start > 0 else ""]
    cursor = start
    for s, e in spans:
        if s < start or e > end:
            continue
        out.append(escape(text[cursor:s]))
        out.append(f"<mark>{escape(text[s:e])}</mark>")
        cursor = e
    out.append(escape(text[cursor:end]))
    if end < len(text):
        out.append("…")
    return "".join(out)


def highlight(text: str, marks: list[str]) -> str:
    """The whole (short) text with its matches marked: for titles."""
    return snippet(text, marks, width=max(len(text or ""), 1))
