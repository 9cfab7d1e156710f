"""Words for matching: tokenise, drop stop words, stem (Snowball), and score with BM25.

Our own small implementation, so the product and the benchmark share it exactly. The language of
a text is guessed from its stop words (Dutch, English, German, Italian, Hungarian, French) and the
matching Snowball stemmer is used; `language=` overrides the guess.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache

import snowballstemmer

STEMMERS = {
    "nl": "dutch",
    "en": "english",
    "de": "german",
    "it": "italian",
    "hu": "hungarian",
    "fr": "french",
}


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Short lists of the most frequent function words: enough to tell languages apart and to keep
# words that say nothing out of the index.
STOP_WORDS = {
    "nl": _words(
        "de het een en van in op te voor met is zijn aan door als bij om of uit ook niet die dat "
        "deze dit naar over tot wordt worden kan er maar nog zo dan wij we u je jullie onze ons "
        "hun hij zij ze was waren heeft hebben wat wie waar hoe meer zich al na per via binnen"
    ),
    "en": _words(
        "the a an and of in on to for with is are be by as at or from this that these those it "
        "its we our you your they their was were has have had will can not which who what how "
        "more into about also such than other any all per via within"
    ),
    "de": _words(
        "der die das und in im von zu mit für auf den dem des ein eine einer eines ist sind "
        "nicht als auch an bei aus nach oder werden wird wir sie es zur zum über sowie durch "
        "vom am bis gemäß"
    ),
    "it": _words(
        "il lo la i gli le un una di a da in con su per tra fra e o del della dei delle degli "
        "al alla ai alle nel nella nei che non è sono come anche dal dalla sul sulla"
    ),
    "hu": _words(
        "a az és egy hogy nem is van volt meg de ki mint már csak vagy el fel be le kell "
        "szerint alapján keretében részére céljából"
    ),
    "fr": _words(
        "le la les un une des de du et en dans pour par sur au aux avec est sont pas que qui "
        "ce cette ces il elle nous vous ils leur"
    ),
}
DEFAULT_LANGUAGE = "nl"
WORD = re.compile(r"[^\W\d_]{2,}")
MIN_LENGTH = 3


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").casefold()


def guess_language(words: Iterable[str]) -> str:
    """The language whose stop words occur most often among `words` (Dutch when unsure)."""
    counts = Counter()
    for word in words:
        for language, stop in STOP_WORDS.items():
            if word in stop:
                counts[language] += 1
    if not counts:
        return DEFAULT_LANGUAGE
    best = max(counts.values())
    for language in STOP_WORDS:  # the first listed wins a tie: Dutch, then English ...
        if counts[language] == best:
            return language
    return DEFAULT_LANGUAGE


@lru_cache(maxsize=8)
def _stemmer(language: str):
    return snowballstemmer.stemmer(STEMMERS.get(language, STEMMERS[DEFAULT_LANGUAGE]))


@lru_cache(maxsize=200_000)
def _stem(language: str, word: str) -> str:
    return _stemmer(language).stemWord(word)


@dataclass
class Analysed:
    """A text as matching sees it: stem counts, and for each stem a word as it was written."""

    terms: Counter = field(default_factory=Counter)
    surface: dict[str, str] = field(default_factory=dict)

    @property
    def length(self) -> int:
        return sum(self.terms.values())

    def add(self, other: Analysed) -> Analysed:
        self.terms.update(other.terms)
        for stem, word in other.surface.items():
            self.surface.setdefault(stem, word)
        return self


def analyse(text: str, *, language: str | None = None) -> Analysed:
    """Stemmed words of `text` without stop words and words shorter than three letters."""
    words = WORD.findall(_fold(text))
    language = language or guess_language(words)
    stop = STOP_WORDS.get(language, frozenset())
    out = Analysed()
    for word in words:
        if len(word) < MIN_LENGTH or word in stop:
            continue
        stem = _stem(language, word)
        out.terms[stem] += 1
        out.surface.setdefault(stem, word)
    return out


def analyse_all(texts: Iterable[str], *, language: str | None = None) -> Analysed:
    """Several texts as one document; each text's language is guessed on its own."""
    out = Analysed()
    for text in texts:
        if text:
            out.add(analyse(text, language=language))
    return out


@dataclass(frozen=True)
class CorpusStats:
    """What BM25 needs to know about the documents a query is scored against."""

    documents: int
    average_length: float
    document_frequency: Mapping[str, int]

    @classmethod
    def of(cls, documents: Iterable[Counter]) -> CorpusStats:
        df: Counter = Counter()
        n = total = 0
        for terms in documents:
            n += 1
            total += sum(terms.values())
            df.update(terms.keys())
        return cls(documents=n, average_length=(total / n) if n else 0.0, document_frequency=df)

    def idf(self, term: str) -> float:
        df = self.document_frequency.get(term, 0)
        return math.log(1 + (self.documents - df + 0.5) / (df + 0.5))


def bm25(
    query: Iterable[str], document: Counter, stats: CorpusStats, *, k1: float, b: float
) -> tuple[float, list[tuple[str, float]]]:
    """Okapi BM25 of `document` for the distinct `query` terms, and what each shared term added
    (largest first)."""
    length = sum(document.values())
    norm = k1 * (1 - b + b * length / stats.average_length) if stats.average_length else k1
    total = 0.0
    parts = []
    for term in query:
        tf = document.get(term, 0)
        if not tf:
            continue
        gain = stats.idf(term) * tf * (k1 + 1) / (tf + norm)
        total += gain
        parts.append((term, gain))
    parts.sort(key=lambda p: -p[1])
    return total, parts
