"""Type-ahead over CPV and competency labels (Dutch and English), from the reference data.

The vocabulary is small (9,454 CPV codes, a few dozen competencies), so the database backend
keeps a folded word list in memory, loaded once per process. Elasticsearch indexes the same
labels in its own suggestion index.
"""

from __future__ import annotations

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
_labels: list[tuple[frozenset[str], Label]] | None = None


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


def _index() -> list[tuple[frozenset[str], Label]]:
    global _labels
    with _lock:
        if _labels is None:
            rows = [
                (frozenset(text.words(f"{label.label_nl} {label.label_en}")), label)
                for label in all_labels()
            ]
            if not rows:
                return []
            _labels = rows
        return _labels


def clear_cache() -> None:
    global _labels
    with _lock:
        _labels = None


def label_suggestions(typed: list[str], *, limit: int = 5):
    """Competency and CPV labels in which every typed word starts a word."""
    from search.backends.base import Suggestion

    lang = "en" if (get_language() or "nl").startswith("en") else "nl"
    found: dict[str, list[Label]] = {"competency": [], "cpv": []}
    for label_words, label in _index():
        if all(any(w.startswith(t) for w in label_words) for t in typed):
            found[label.type].append(label)
    out = []
    for kind in ("competency", "cpv"):
        for label in sorted(found[kind], key=lambda lb: lb.rank)[:limit]:
            out.append(Suggestion(kind, label.label(lang), label.value))
    return out
