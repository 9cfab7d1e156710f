"""The glossary of procurement words (data/glossary.json, our own writing in Dutch and English)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache

from django.conf import settings


@dataclass(frozen=True)
class Term:
    slug: str
    term: str
    other: str  # the term in the other language, for people who met it there
    text: str


@cache
def _load() -> tuple[dict, ...]:
    with open(settings.DATA_DIR / "glossary.json", encoding="utf-8") as fh:
        return tuple(json.load(fh))


def glossary_terms(*, language: str) -> list[Term]:
    """Every term in `language` ("nl" or anything else for English), in alphabetical order.
    The slugs are stable anchors: /help/glossary/#uea."""
    nl = language.startswith("nl")
    terms = [
        Term(
            slug=row["slug"],
            term=row["term_nl"] if nl else row["term_en"],
            other=row["term_en"] if nl else row["term_nl"],
            text=row["nl"] if nl else row["en"],
        )
        for row in _load()
    ]
    return sorted(terms, key=lambda t: t.term.casefold())
