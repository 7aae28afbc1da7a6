"""Chinese text analysis for the knowledge base: the same terms at index and at query time.

A text becomes three kinds of terms, each prefixed by its kind:
- 'w' words from jieba, with latin/digit codes kept whole and an administrative suffix kept on
  them ("a2区", "12路"), because jieba's guesses glue such codes to the next word ("县经");
- 'b' character bigrams of every Chinese run, so "垃圾分类" meets "垃圾…分类" whatever jieba
  made of either side;
- 'u' single characters, a weak signal that rescues abbreviations ("计生" ~ "计划生育").
Everything here is pure: no database, no clock.
"""
from __future__ import annotations

import re
import threading
import unicodedata
from collections import Counter

import jieba

WORD, BIGRAM, CHAR = "w", "b", "u"
MAX_TERM = 32
# Latin/digit codes, optionally with the suffix that makes them a place or an address.
PIECE = re.compile(r"[a-z0-9]+(?:\.[a-z0-9]+)*[市县区州省镇乡村路号楼栋]?|[\u3400-\u9fff]+")
HAN = re.compile(r"[\u3400-\u9fff]+")

_lock = threading.Lock()
_tokenizer: jieba.Tokenizer | None = None


def _jieba() -> jieba.Tokenizer:
    """Our own jieba instance, so that nobody's add_word elsewhere changes our terms."""
    global _tokenizer
    if _tokenizer is None:
        with _lock:
            if _tokenizer is None:
                jieba.setLogLevel(60)
                tokenizer = jieba.Tokenizer()
                tokenizer.initialize()
                _tokenizer = tokenizer
    return _tokenizer


def normalize(text: str) -> str:
    """Full-width to half-width, upper to lower case."""
    return unicodedata.normalize("NFKC", text or "").lower()


def normalize_keeping_offsets(text: str) -> str:
    """`normalize`, keeping every character in place, so positions still point into the original."""
    whole = normalize(text)
    if len(whole) == len(text):
        return whole
    out = []
    for ch in text:
        n = unicodedata.normalize("NFKC", ch).lower()
        out.append(n if len(n) == 1 else ch.lower() if len(ch.lower()) == 1 else ch)
    return "".join(out)


def words(text: str) -> list[str]:
    tokenizer = _jieba()
    out: list[str] = []
    for match in PIECE.finditer(normalize(text)):
        piece = match.group()
        if piece[0] < "\u3400":
            out.append(piece[:MAX_TERM])
        else:
            out.extend(w for w in tokenizer.cut(piece) if w.strip() and len(w) <= MAX_TERM)
    return out


def terms(text: str) -> list[str]:
    """Every term of a text, in order, with repeats (the input of term frequencies)."""
    normal = normalize(text)
    out = [WORD + w for w in words(normal)]
    for run in HAN.findall(normal):
        out.extend(BIGRAM + run[i:i + 2] for i in range(len(run) - 1))
        out.extend(CHAR + ch for ch in run)
    return out


FIELDS = ("title", "keywords", "question", "answer")


def document_terms(title: str, keywords: list[str], question: str, answer: str) -> dict[str, list[int]]:
    """term -> frequency in each field of FIELDS."""
    out: dict[str, list[int]] = {}
    for position, text in enumerate((title, " ".join(keywords), question, answer)):
        for term, count in Counter(terms(text)).items():
            out.setdefault(term, [0, 0, 0, 0])[position] = count
    return out


# What callers wrap a question in: greetings, question words and the generic "what is needed"
# (请问办护照需要什么材料 is about 护照). They count in a query at FILLER_WEIGHT and never make a
# match on their own. Whole words only, as jieba cuts them: 建筑材料 is no filler.
FILLERS = frozenset({
    "你好", "您好", "请问", "想问", "问一下", "咨询", "一下", "谢谢", "麻烦", "你们", "我们", "我想", "想要",
    "什么", "怎么", "怎么办", "怎样", "怎么样", "如何", "哪些", "哪里", "哪儿", "哪个", "多少", "几天", "为什么",
    "是否", "是不是", "能否", "能不能", "可否", "可不可以", "可以", "需要", "需", "要", "有没有", "吗", "呢",
    "材料", "手续", "相关", "问题", "情况", "事情",
})
FILLER_WEIGHT = 0.2


def _filler_positions(normal: str) -> set[int]:
    """Where in the (normalized) query its filler words stand, by jieba's cut of each Chinese run."""
    tokenizer = _jieba()
    positions: set[int] = set()
    for run in HAN.finditer(normal):
        at = run.start()
        for word in tokenizer.cut(run.group()):
            if word in FILLERS:
                positions.update(range(at, at + len(word)))
            at += len(word)
    return positions


def _own_query_terms(normal: str) -> dict[str, float]:
    """The query's own terms: 1.0, or FILLER_WEIGHT for a filler word and for the bigrams and
    characters that touch one (a term found both in and out of a filler counts fully)."""
    fillers = _filler_positions(normal)
    out: dict[str, float] = {}

    def add(term: str, weight: float) -> None:
        out[term] = max(weight, out.get(term, 0.0))

    for w in words(normal):
        add(WORD + w, FILLER_WEIGHT if w in FILLERS else 1.0)
    for run in HAN.finditer(normal):
        text, at = run.group(), run.start()
        for i in range(len(text) - 1):
            add(BIGRAM + text[i:i + 2], FILLER_WEIGHT if {at + i, at + i + 1} & fillers else 1.0)
        for i, ch in enumerate(text):
            add(CHAR + ch, FILLER_WEIGHT if at + i in fillers else 1.0)
    return out


def query_terms(query: str, synonym_groups: list[list[str]], synonym_weight: float) -> dict[str, float]:
    """The distinct terms of a query with how much each counts: its own terms fully (fillers
    at FILLER_WEIGHT), the members of any synonym group it mentions (by plain substring,
    whatever the segmentation) at `synonym_weight`."""
    normal = normalize(query)
    out = _own_query_terms(normal)
    for group in synonym_groups:
        if any(member in normal for member in group):
            for member in group:
                if member in normal:
                    continue
                for term in terms(member):
                    out.setdefault(term, synonym_weight)
    return out


def highlight_words(query_term_weights: dict[str, float]) -> list[str]:
    """What to mark in a snippet: the query's and its synonyms' words of two characters or
    more, and the pieces of its long words (so "垃圾分类" marks 垃圾 and 分类 apart); a lone
    character only when that is all there is (marking every 的 helps nobody)."""
    marks = {t[1:] for t, weight in query_term_weights.items()
             if t[0] == WORD and len(t) > 2 and weight > FILLER_WEIGHT}
    long_words = [t[1:] for t, weight in query_term_weights.items() if t[0] == WORD and weight == 1.0 and len(t) > 4]
    marks.update(t[1:] for t in query_term_weights
                 if t[0] == BIGRAM and query_term_weights[t] == 1.0 and any(t[1:] in w for w in long_words))
    if not marks:
        marks = {t[1:] for t in query_term_weights if t[0] in (WORD, CHAR) and query_term_weights[t] == 1.0}
    marks = marks or {t[1:] for t in query_term_weights if t[0] == WORD and len(t) > 2}  # fillers alone
    return sorted(marks, key=lambda m: (-len(m), m))


def split_keywords(raw) -> list[str]:
    """Keywords from a list or from text separated by commas, 、, semicolons or spaces."""
    if raw is None:
        return []
    items = raw if isinstance(raw, list) else re.split(r"[,，、;；\s]+", str(raw))
    seen: dict[str, None] = {}
    for item in items:
        item = str(item).strip()
        if item:
            seen.setdefault(item, None)
    return list(seen)
