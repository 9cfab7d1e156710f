"""Text analysis done in Python, the same on the way in (indexing) and on the way out (queries).

SQLite has no Dutch stemmer and PostgreSQL's `dutch` configuration does not reduce "zoekt" to the
stem of "zoeken", so the database backend stems here with Snowball (`snowballstemmer`): every
word becomes up to three alternative stems, Dutch (Kraaij-Pohlmann style, the Snowball 3 `dutch`
algorithm: zoekt, zoeken -> zoek), the older Dutch Porter algorithm (sensoren -> sensor) and
English (predicting, prediction -> predict). A query word matches a document word when they
share a stem. Accents and case are folded first, so "cafe" finds "Café".

Elasticsearch analyses text itself with the same three chains (see `search.backends.es_mapping`).
"""

from __future__ import annotations

import html
import re
import unicodedata
from functools import lru_cache

import snowballstemmer

WORD_RE = re.compile(r"\w+", re.UNICODE)
MAX_TOKEN_LENGTH = 40

# Short stop lists (our own): words too common to search for. The same lists apply to documents
# and queries, so a query of only stop words matches everything instead of nothing.
STOP_WORDS = frozenset(
    [
        "de",
        "het",
        "een",
        "en",
        "of",
        "in",
        "op",
        "te",
        "van",
        "voor",
        "met",
        "aan",
        "bij",
        "door",
        "naar",
        "om",
        "uit",
        "als",
        "dat",
        "die",
        "dit",
        "is",
        "zijn",
        "er",
        "wordt",
        "worden",
        "wij",
        "we",
        "u",
        "je",
        "ze",
        "hij",
        "zij",
        "ook",
        "niet",
        "maar",
        "dan",
        "tot",
        "over",
        "onder",
        "na",
        "nog",
        "wel",
        "geen",
        "al",
        "the",
        "a",
        "an",
        "and",
        "or",
        "of",
        "in",
        "on",
        "to",
        "for",
        "with",
        "at",
        "by",
        "from",
        "as",
        "that",
        "this",
        "is",
        "are",
        "be",
        "it",
        "its",
        "we",
        "you",
        "they",
        "our",
        "your",
        "their",
        "not",
        "but",
        "into",
        "over",
        "under",
        "after",
    ]
)

# `snowballstemmer.stemmer` returns PyStemmer's C implementation of the same Snowball
# algorithms when it is installed (a dependency; the tests check both give the same stems).
_nl = snowballstemmer.stemmer("dutch")
_nl_porter = snowballstemmer.stemmer("dutch_porter")
_en = snowballstemmer.stemmer("english")


class _CombiningMarks(dict):
    """str.translate table that drops combining marks, filled in per character as met."""

    def __missing__(self, code: int) -> int | None:
        kept = None if unicodedata.combining(chr(code)) else code
        self[code] = kept
        return kept


_DROP_MARKS = _CombiningMarks()


def fold(text: str) -> str:
    """Lower case without accents: "Café Zuidas" -> "cafe zuidas"."""
    if text.isascii():  # nothing to decompose: most text, and much faster
        return text.casefold()
    return unicodedata.normalize("NFKD", text).translate(_DROP_MARKS).casefold()


def words(text: str) -> list[str]:
    """The folded words of `text`, stop words included."""
    return [w[:MAX_TOKEN_LENGTH] for w in WORD_RE.findall(fold(text or "")) if w != "_"]


@lru_cache(maxsize=200_000)
def stems(word: str) -> tuple[str, ...]:
    """The stems of one folded word: Dutch, Dutch Porter, English, without repeats."""
    if word.isdigit():
        return (word,)
    out = [_nl.stemWord(word), _nl_porter.stemWord(word), _en.stemWord(word)]
    return tuple(dict.fromkeys(s for s in out if s))


def index_terms(text: str) -> str:
    """What the full-text index stores for `text`: every stem of every word, space separated,
    in order (so term frequencies still count)."""
    out: list[str] = []
    for word in words(text):
        if word in STOP_WORDS:
            continue
        out.extend(stems(word))
    return " ".join(out)


def query_words(q: str) -> list[str]:
    """The words of a query that count: stop words dropped, repeats merged."""
    return list(dict.fromkeys(w for w in words(q) if w not in STOP_WORDS))


def query_clauses(q: str) -> list[tuple[str, ...]]:
    """One clause per query word: the stems any of which must be in a matching document. All
    clauses must match."""
    return list(dict.fromkeys(stems(w) for w in query_words(q)))


def highlight(text: str, clauses: list[tuple[str, ...]], *, fragment: int | None = None) -> str:
    """`text` as HTML with the words that match a clause wrapped in <mark>. With `fragment`,
    only a window of about that many characters around the first match ("" when none)."""
    wanted = {s for clause in clauses for s in clause}
    text = text or ""
    spans = []
    for match in WORD_RE.finditer(text):
        word = fold(match.group())[:MAX_TOKEN_LENGTH]
        if word not in STOP_WORDS and wanted.intersection(stems(word)):
            spans.append((match.start(), match.end()))
    if fragment is not None:
        if not spans:
            return ""
        first = spans[0][0]
        start = max(0, first - fragment // 3)
        if start:
            space = text.rfind(" ", 0, start)
            start = space + 1 if space > 0 and first - space < fragment else start
        end = min(len(text), start + fragment)
        if end < len(text):
            space = text.find(" ", end)
            end = space if 0 < space < end + 20 else end
        spans = [(a, b) for a, b in spans if a >= start and b <= end]
        prefix, suffix = ("… " if start else ""), (" …" if end < len(text) else "")
    else:
        if not spans:
            return html.escape(text)
        start, end, prefix, suffix = 0, len(text), "", ""
    out, pos = [prefix], start
    for a, b in spans:
        out.append(html.escape(text[pos:a]))
        out.append(f"<mark>{html.escape(text[a:b])}</mark>")
        pos = b
    out.append(html.escape(text[pos:end]))
    out.append(suffix)
    return "".join(out)
