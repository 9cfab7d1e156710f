"""OpportunityQuery: from request parameters, to JSON and back, and the text analysis."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.http import QueryDict

from marketplace.core.errors import ApplicationError
from search import text
from search.query import OpportunityQuery, budget_band, cpv_prefixes


def test_from_params_reads_repeated_and_comma_separated_values():
    query = OpportunityQuery.from_params(
        QueryDict(
            "q=drukte&kind=tender&kind=funding&cpv=72000000-5,90511000&region=nl32"
            "&budget_min=1000&sme_suitable=true&closes_after=2026-03-01&sort=closing&page=2"
        )
    )
    assert query.kind == ("tender", "funding")
    assert query.cpv == ("72000000", "90511000")
    assert query.region == ("NL32",)
    assert query.budget_min == Decimal("1000")
    assert query.sme_suitable is True
    assert query.closes_after.date() == dt.date(2026, 3, 1)
    assert (query.sort, query.page) == ("closing", 2)


def test_json_round_trip_keeps_the_query_but_not_the_page():
    query = OpportunityQuery.from_params(
        {
            "q": "sensoren",
            "kind": "tender",
            "budget_max": "5000",
            "closes_before": "2026-04-01",
            "first_timer_friendly": "false",
            "page": "3",
        }
    )
    stored = query.to_json()
    assert stored["kind"] == ["tender"] and "page" not in stored
    assert OpportunityQuery.from_json(stored) == query.replace(page=1)


def test_to_params_leaves_out_defaults():
    assert OpportunityQuery(q="data", kind=("tender",)).to_params() == [
        ("q", "data"),
        ("kind", "tender"),
    ]
    assert OpportunityQuery().is_empty


def test_bad_parameters_are_named():
    with pytest.raises(ApplicationError) as exc:
        OpportunityQuery.from_params(
            {"status": "draft", "cpv": "abc", "page": "0", "sme_suitable": "x"}
        )
    assert set(exc.value.errors) == {"status", "cpv", "page", "sme_suitable"}


def test_budget_bands_and_cpv_prefixes():
    assert budget_band(None, Decimal("40000")) == "under_50k"
    assert budget_band(Decimal("2000000"), None) == "over_1m"
    assert budget_band(None, None) == ""
    assert cpv_prefixes("72212000") == ["72", "722", "7221", "72212"]


def test_stems_fold_and_highlight():
    assert text.fold("Café Zuidas") == "cafe zuidas"
    assert set(text.stems("zoekt")) & set(text.stems("zoeken"))
    assert set(text.stems("voorspelling")) & set(text.stems("voorspellen"))
    assert set(text.stems("predicting")) & set(text.stems("prediction"))
    clauses = text.query_clauses("de sensoren")
    assert len(clauses) == 1  # "de" is a stop word
    assert text.highlight("Sensor <b>", clauses) == "<mark>Sensor</mark> &lt;b&gt;"
