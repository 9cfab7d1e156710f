"""Type-ahead over CPV and competency labels (Dutch and English), from the reference data.

The vocabulary is small (9,454 CPV codes, a few dozen competencies), so the database backend
keeps a folded word list in memory, loaded once per process and dropped when a competency or
CPV code is saved or deleted in that process (search.apps). `load_reference_data` writes in bulk
from its own process: restart the web processes after it (a deploy does). Elasticsearch indexes
the same labels in its own suggestion index.
"""

from __future__ import annotations

import bisect
import dataclasses
import threading

from django.utils.translation import get_language

from marketplace.core.models import Competency, CpvCode
from search import text


@dataclasses.dataclass(frozen=True)
class Label:
    type: str  # cpv | competency
    value: str
    label_nl: str
    label_en: str
    rank: int  # lower first: CPV level, competency position

    def label(self, lang: str) -> str:
        return self.label_en if lang == "en" else self.label_nl


_lock = threading.Lock()
# The labels, and every (word, position in the labels) pair sorted by word: the labels with a
# word that starts with a typed word are one bisect range (a scan of 9,500 labels cost more
# than the rest of a type-ahead request).
_labels: tuple[list[Label], list[str], list[int]] | None = None


def all_labels() -> list[Label]:
    out = [
        Label("competency", slug, nl, en, position)
        for slug, nl, en, position in Competency.objects.values_list(
            "slug", "label_nl", "label_en", "position"
        )
    ]
    out += [
        Label("cpv", code, nl, en, level * 100_000_000 + int(code))
        for code, nl, en, level in CpvCode.objects.values_list(
            "code", "label_nl", "label_en", "level"
        )
    ]
    return out


def _index() -> tuple[list[Label], list[str], list[int]]:
    global _labels
    with _lock:
        if _labels is None:
            labels = all_labels()
            if not labels:
                return [], [], []
            pairs = sorted(
                (word, n)
                for n, label in enumerate(labels)
                for word in set(text.words(f"{label.label_nl} {label.label_en}"))
            )
            _labels = (labels, [w for w, _n in pairs], [n for _w, n in pairs])
        return _labels


def _starting_with(typed: str, words: list[str], positions: list[int]) -> set[int]:
    """Positions of the labels that have a word starting with `typed`."""
    start = bisect.bisect_left(words, typed)
    end = bisect.bisect_left(words, typed + "\U0010ffff", lo=start)
    return set(positions[start:end])


def clear_cache() -> None:
    global _labels
    with _lock:
        _labels = None


def label_suggestions(typed: list[str], *, limit: int = 5):
    """Competency and CPV labels in which every typed word starts a word."""
    from search.backends.base import Suggestion

    lang = "en" if (get_language() or "nl").startswith("en") else "nl"
    found: dict[str, list[Label]] = {"competency": [], "cpv": []}
    labels, words, positions = _index()
    if not labels or not typed:
        return []
    matching = set.intersection(*(_starting_with(t, words, positions) for t in typed))
    for n in matching:
        found[labels[n].type].append(labels[n])
    out = []
    for kind in ("competency", "cpv"):
        for label in sorted(found[kind], key=lambda lb: lb.rank)[:limit]:
            out.append(Suggestion(kind, label.label(lang), label.value))
    return out
