"""What the learner sees of a text: jieba words and character n-grams.

A message has a title (the gist, what an agent types first) and a body; the two are weighed
apart, so a long letter does not drown its title. An order has only its content: its first
sentence stands in for the title and the whole content is the body.
"""
from __future__ import annotations

import re
import threading
import unicodedata

import jieba

# Latin/digit runs stay whole ("a2区", "12路"); the rest is cut by jieba.
PIECE = re.compile(r"[a-z0-9]+(?:\.[a-z0-9]+)*|[^\sa-z0-9]+")
FIRST_SENTENCE = re.compile(r"[^。！？!?\n]+")
TITLE_CHARS = 60
# Bodies beyond this add little and cost time at every keystroke.
BODY_CHARS = 2000

_lock = threading.Lock()
_tokenizer: jieba.Tokenizer | None = None


def _jieba() -> jieba.Tokenizer:
    """Our own jieba instance, so that nobody's add_word elsewhere changes the learned words."""
    global _tokenizer
    if _tokenizer is None:
        with _lock:
            if _tokenizer is None:
                jieba.setLogLevel(60)
                tokenizer = jieba.Tokenizer()
                tokenizer.initialize()
                _tokenizer = tokenizer
    return _tokenizer


def normalize(text: str | None) -> str:
    """Full-width to half-width, upper to lower case, runs of blanks to one space."""
    return " ".join(unicodedata.normalize("NFKC", text or "").lower().split())


def words(text: str) -> list[str]:
    """jieba's words (word bigrams were measured and added nothing: see docs/suggestions.md)."""
    tokenizer = _jieba()
    found: list[str] = []
    for match in PIECE.finditer(text):
        piece = match.group()
        if piece[0].isascii():
            found.append(piece)
        else:
            found.extend(w for w in tokenizer.cut(piece) if w.strip() and not _punctuation(w))
    return found


def _punctuation(word: str) -> bool:
    return all(unicodedata.category(ch)[0] in "PSZ" for ch in word)


def split_order(content: str) -> tuple[str, str]:
    """(title, body) of an order's content: its first sentence, then the whole of it."""
    text = normalize(content)
    first = FIRST_SENTENCE.search(text)
    return (first.group()[:TITLE_CHARS] if first else ""), text


def message(title: str | None, body: str | None) -> tuple[str, str]:
    """A (title, body) pair normalised the way the learner reads it."""
    return normalize(title)[:BODY_CHARS], normalize(body)[:BODY_CHARS]
