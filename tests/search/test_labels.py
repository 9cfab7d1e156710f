"""Type-ahead over CPV and competency labels: the bisect index finds what a full scan finds."""

from __future__ import annotations

import random

import pytest

from search import labels, text

pytestmark = pytest.mark.django_db


def _scan(typed: list[str]) -> dict[str, list[str]]:
    found: dict[str, list[labels.Label]] = {"competency": [], "cpv": []}
    for label in labels.all_labels():
        words = text.words(f"{label.label_nl} {label.label_en}")
        if all(any(w.startswith(t) for w in words) for t in typed):
            found[label.type].append(label)
    return {
        kind: [lb.value for lb in sorted(found[kind], key=lambda lb: lb.rank)[:5]] for kind in found
    }


def test_label_suggestions_match_a_full_scan(reference_data):
    labels.clear_cache()
    rng = random.Random(5)
    words = sorted(
        {w for lb in labels.all_labels() for w in text.words(lb.label_nl + " " + lb.label_en)}
    )
    cases = [["bouw"], ["data", "vi"], ["cafe"], ["zzzq"], ["pro", "soft"], ["a"]]
    cases += [[w[: rng.choice([2, 3, 5])]] for w in rng.sample(words, 40)]
    cases += [
        [a[:3], b[:2]] for a, b in zip(rng.sample(words, 20), rng.sample(words, 20), strict=True)
    ]
    for typed in cases:
        got = labels.label_suggestions(typed)
        assert {
            kind: [s.value for s in got if s.type == kind] for kind in ("competency", "cpv")
        } == _scan(typed), typed
    assert labels.label_suggestions(["bouw"])  # the cases are not all empty


def test_an_edited_competency_label_is_suggested_under_its_new_name(reference_data):
    from marketplace.core.models import Competency

    assert labels.label_suggestions(["zwermgedrag"]) == []  # fills the in-memory labels
    competency = Competency.objects.get(slug="behaviour-prediction")
    competency.label_nl = "Zwermgedrag voorspellen"
    competency.save()
    assert [(s.type, s.value) for s in labels.label_suggestions(["zwermgedrag"])] == [
        ("competency", "behaviour-prediction")
    ]
    competency.delete()
    assert labels.label_suggestions(["zwermgedrag"]) == []
