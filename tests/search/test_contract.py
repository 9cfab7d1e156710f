"""The search contract: the same tests, unchanged, on every backend (SQLite FTS5 in the SQLite
pass; PostgreSQL full text and a real Elasticsearch node in the PostgreSQL pass)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from search.query import OpportunityQuery
from search.services import opportunity_percolate, stored_query_register
from tenders.selectors import opportunity_list_public
from tenders.services import opportunities as services
from tests.search.conftest import DAY, NOW, PUBLIC

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def at_now():
    with time_machine.travel(NOW, tick=False):
        yield


def run(backend, **params):
    query = OpportunityQuery.from_params({"page_size": "50", **params})
    return backend.search(query, visible=opportunity_list_public())


def names(corpus, page) -> list[str]:
    by_id = {o.pk: name for name, o in corpus.items()}
    return [by_id[o.pk] for o in page.results]


def found(corpus, backend, **params) -> set[str]:
    page = run(backend, **params)
    assert page.count == len(page.results)
    return set(names(corpus, page))


def facet(page, name) -> dict[str, int]:
    return {b.value: b.count for b in page.facets[name]}


# --- text -------------------------------------------------------------------------------------


def test_everything_public_is_found_and_drafts_and_withdrawn_are_not(corpus, backend):
    assert found(corpus, backend) == set(PUBLIC)


def test_dutch_stemming_zoekt_finds_zoeken(corpus, backend):
    assert found(corpus, backend, q="zoekt") == {"air"}


def test_dutch_stemming_voorspelling_finds_voorspellen(corpus, backend):
    assert found(corpus, backend, q="voorspelling") == {"arena", "cancelled"}


def test_english_stemming_predicting_finds_prediction(corpus, backend):
    # energy says "prediction"; arena and cancelled have the competency "Behaviour prediction".
    assert found(corpus, backend, q="predicting") == {"energy", "arena", "cancelled"}
    assert found(corpus, backend, q="predicting models") == {"energy"}


def test_accents_and_case_do_not_matter(corpus, backend):
    assert found(corpus, backend, q="cafe") == {"cafe"}
    assert found(corpus, backend, q="CAFÉ") == {"cafe"}


def test_every_word_must_match(corpus, backend):
    assert found(corpus, backend, q="drukte sensordata") == {"arena"}
    assert found(corpus, backend, q="drukte fietsen") == set()


def test_a_title_match_ranks_above_a_description_match(corpus, backend):
    assert names(corpus, run(backend, q="drukte")) == ["arena", "air"]


def test_an_open_opportunity_ranks_above_a_closed_one(corpus, backend):
    assert names(corpus, run(backend, q="afvalinzameling")) == ["waste", "closed"]


def test_without_words_open_opportunities_closing_soon_come_first(corpus, backend):
    result = names(corpus, run(backend))
    assert result[:2] == ["arena", "air"]
    assert set(result[-3:]) == {"closed", "awarded", "cancelled"}


def test_highlights_mark_the_matching_words(corpus, backend):
    page = run(backend, q="drukte")
    arena, air = page.results
    assert "<mark>Drukte</mark> voorspellen" in arena.highlight["title"]
    assert "<mark>drukte</mark>" in air.highlight["text"]
    assert "<mark>" not in air.highlight["title"]
    (air,) = run(backend, q="zoekt").results
    assert "<mark>zoeken</mark>" in air.highlight["text"]


def test_highlights_escape_html(corpus, backend, django_capture_on_commit_callbacks):
    from tests.search.conftest import publish

    with django_capture_on_commit_callbacks(execute=True):
        o = publish(
            corpus["arena"].buyer,
            corpus.alice,
            "co_creation",
            title="Veilig <script>alert(1)</script> zoeken",
            closes_at=NOW + 9 * DAY,
        )
    backend.refresh()
    (hit,) = [r for r in run(backend, q="zoeken").results if r.pk == o.pk]
    assert "<script>" not in hit.highlight["title"]
    assert "&lt;script&gt;" in hit.highlight["title"]


# --- filters ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"kind": "tender"}, {"air", "waste", "closed", "awarded"}),
        ({"kind": "funding,test_location"}, {"energy", "cafe"}),
        ({"status": "published"}, {"arena", "air", "energy", "cafe", "waste"}),
        ({"status": "closed,awarded"}, {"closed", "awarded"}),
        ({"status": "cancelled"}, {"cancelled"}),
        ({"competency": "data-and-analytics"}, {"arena", "energy", "waste", "cancelled"}),
        ({"competency": "behaviour-prediction"}, {"arena", "cancelled"}),
        ({"cpv": "72000000"}, {"waste", "closed"}),
        ({"cpv": "72300000-8"}, {"waste", "closed"}),
        ({"cpv": "72322000"}, {"waste"}),
        ({"cpv": "90000000"}, {"waste"}),
        ({"region": "NL32"}, set(PUBLIC)),
        ({"region": "GM0363"}, {"arena", "energy", "cafe", "waste", "closed", "cancelled"}),
        ({"region": "NL33"}, set()),
        ({"buyer": "provincie-noord-holland"}, {"air", "awarded"}),
        ({"closes_after": "2026-03-17"}, {"air", "energy", "waste"}),
        ({"closes_before": "2026-03-31"}, {"arena", "air", "closed", "awarded", "cancelled"}),
        ({"budget_min": "250000"}, {"energy", "waste"}),
        ({"budget_max": "50000"}, {"arena"}),
        ({"sme_suitable": "true"}, {"arena", "air"}),
        ({"first_timer_friendly": "true"}, {"arena", "cafe"}),
        ({"budget_band": "under_50k,over_1m"}, {"arena", "energy"}),
        ({"closing": "this_week"}, {"arena"}),
        ({"closing": "this_month"}, {"air"}),
        ({"closing": "later"}, {"energy", "cafe", "waste"}),
        ({"q": "drukte", "kind": "tender", "region": "NL32"}, {"air"}),
    ],
)
def test_every_filter(corpus, backend, params, expected):
    assert found(corpus, backend, **params) == expected


def test_buyer_filter_takes_the_id_too(corpus, backend):
    buyer_id = str(corpus["air"].buyer_id)
    assert found(corpus, backend, buyer=buyer_id) == {"air", "awarded"}


# --- facets -----------------------------------------------------------------------------------


def test_every_facet_counts(corpus, backend):
    page = run(backend)
    assert facet(page, "kind") == {"tender": 4, "co_creation": 2, "funding": 1, "test_location": 1}
    assert facet(page, "status") == {"published": 5, "closed": 1, "awarded": 1, "cancelled": 1}
    assert facet(page, "closing") == {"this_week": 1, "this_month": 1, "later": 3}
    assert facet(page, "budget_band") == {
        "under_50k": 1,
        "50k_250k": 1,
        "250k_1m": 1,
        "over_1m": 1,
    }
    assert facet(page, "sme_suitable") == {"true": 2}
    assert facet(page, "first_timer_friendly") == {"true": 2}
    assert facet(page, "competency") == {
        "data-and-analytics": 4,
        "behaviour-prediction": 2,
        "ai-machine-learning": 1,
        "data-aggregation": 1,
        "circular-construction": 1,
        "circular-economy": 1,
    }
    assert {(b.value, b.count, b.level) for b in page.facets["region"]} == {
        ("NL32", 8, "province"),
        ("GM0363", 6, "municipality"),
    }
    assert facet(page, "cpv") == {"72000000": 2, "38000000": 1, "90000000": 1, "73000000": 1}
    assert facet(page, "buyer") == {"gemeente-amsterdam": 6, "provincie-noord-holland": 2}
    labels = {b.value: b.label for b in page.facets["buyer"]}
    assert labels["gemeente-amsterdam"] == "Gemeente Amsterdam"


def test_a_facet_ignores_its_own_filter_and_obeys_the_others(corpus, backend):
    page = run(backend, kind="tender")
    assert page.count == 4
    assert facet(page, "kind") == {"tender": 4, "co_creation": 2, "funding": 1, "test_location": 1}
    assert [b.value for b in page.facets["kind"] if b.selected] == ["tender"]
    assert facet(page, "buyer") == {"gemeente-amsterdam": 2, "provincie-noord-holland": 2}
    assert facet(page, "status") == {"published": 2, "closed": 1, "awarded": 1}


def test_facets_follow_the_text(corpus, backend):
    page = run(backend, q="drukte")
    assert facet(page, "kind") == {"co_creation": 1, "tender": 1}
    assert facet(page, "sme_suitable") == {"true": 2}


def test_a_selected_value_stays_visible_when_nothing_matches(corpus, backend):
    page = run(backend, q="predicting", region="NL33")
    assert page.count == 0
    assert [(b.value, b.selected) for b in page.facets["region"] if b.value == "NL33"] == [
        ("NL33", True)
    ]


# --- sorting and pages ------------------------------------------------------------------------


def test_sort_by_closing_date(corpus, backend):
    assert names(corpus, run(backend, sort="closing")) == [
        "awarded",
        "closed",
        "arena",
        "cancelled",
        "air",
        "waste",
        "energy",
        "cafe",
    ]


def test_sort_by_newest(corpus, backend):
    assert names(corpus, run(backend, sort="newest")) == [
        "cancelled",
        "waste",
        "cafe",
        "energy",
        "air",
        "arena",
        "closed",
        "awarded",
    ]


def test_pages(corpus, backend):
    pages = [run(backend, sort="closing", page_size="3", page=str(n)) for n in (1, 2, 3, 4)]
    assert [names(corpus, p) for p in pages] == [
        ["awarded", "closed", "arena"],
        ["cancelled", "air", "waste"],
        ["energy", "cafe"],
        [],
    ]
    assert {p.count for p in pages} == {8}
    assert pages[0].num_pages == 3
    assert pages[0].has_next and not pages[2].has_next


def test_rows_the_caller_may_not_see_drop_out(corpus, backend):
    from tenders.models import Opportunity

    visible = opportunity_list_public().exclude(pk=corpus["arena"].pk)
    page = backend.search(OpportunityQuery(q="drukte"), visible=visible)
    assert [o.pk for o in page.results] == [corpus["air"].pk]
    assert isinstance(page.results[0], Opportunity)


# --- suggestions ------------------------------------------------------------------------------


def suggest(backend, typed):
    return {
        (s.type, s.text, s.value) for s in backend.suggest(typed, visible=opportunity_list_public())
    }


def test_suggests_titles(corpus, backend):
    found = suggest(backend, "voorsp")
    titles = {t for kind, t, _v in found if kind == "opportunity"}
    assert "Drukte voorspellen rond de Johan Cruijff ArenA" in titles
    assert "Drukte voorspellen op het Damrak" not in titles  # withdrawn
    assert not any("Geheime" in t for t in titles)  # a draft


def test_suggests_buyers_competencies_and_cpv_labels(corpus, backend):
    assert ("buyer", "Gemeente Amsterdam", "gemeente-amsterdam") in suggest(backend, "gemeente ams")
    with time_machine.travel(NOW, tick=False):
        from django.utils import translation

        with translation.override("nl"):
            assert ("competency", "Gedrag voorspellen", "behaviour-prediction") in suggest(
                backend, "gedrag voor"
            )
            assert ("cpv", "Analyseapparatuur", "38432000") in suggest(backend, "analyseapp")
        with translation.override("en"):
            assert ("competency", "Behaviour prediction", "behaviour-prediction") in suggest(
                backend, "behaviour pred"
            )


def test_one_letter_suggests_nothing(corpus, backend):
    assert suggest(backend, "v") == set()


@pytest.mark.parametrize(
    "params",
    [
        {"kind": "tender"},
        {"status": "published", "sort": "closing"},
        {"q": "drukte", "region": "NL32"},
        {"competency": "behaviour-prediction", "sort": "newest"},
        {"q": "voorspellen", "kind": "co_creation,tender", "sme_suitable": "true"},
    ],
)
def test_the_same_results_with_and_without_facets(corpus, backend, params):
    """Without facets the filters go where the engine can use them to choose rows (the query's
    filter context on Elasticsearch, the WHERE clause on PostgreSQL); the results must not
    change."""
    query = OpportunityQuery.from_params({"page_size": "50", **params})
    with_facets = backend.search(query, visible=opportunity_list_public())
    without = backend.search(query, visible=opportunity_list_public(), facets=False)
    assert without.count == with_facets.count
    assert [o.pk for o in without.results] == [o.pk for o in with_facets.results]
    assert without.facets == {}
    assert with_facets.count  # each case finds something in the corpus


@pytest.mark.postgresql
@pytest.mark.parametrize("backend", ["database"], indirect=True)
def test_postgresql_type_ahead_statement_agrees_with_the_orm_path(corpus, backend):
    """On PostgreSQL type-ahead is one statement over `search_fts`; it finds the same ids, in
    the same order, as the ORM queries SQLite uses (run here on PostgreSQL too)."""
    from django.db import connection

    from marketplace.core import clock
    from search.backends import postgresql
    from search.backends.database import DatabaseBackend

    assert connection.vendor == "postgresql"
    database = DatabaseBackend()
    found = 0
    for typed in (["voorsp"], ["gemeente", "ams"], ["dr"], ["de"], ["ge"], ["zzzq"]):
        for limit in (1, 5):
            fast = postgresql.suggest(typed, now=clock.now(), limit=limit)
            assert fast == database.suggest_ids(typed, limit=limit), typed
            found += len(fast[0]) + len(fast[1])
    assert found


# --- percolation ------------------------------------------------------------------------------

STORED = {
    "s:all": {},
    "s:drukte": {"q": "drukte"},
    "s:tender-nh": {"kind": ["tender"], "region": ["NL32"]},
    "s:open-72": {"cpv": ["72000000"], "status": ["published"]},
    "s:zoekt-sme": {"q": "zoekt", "sme_suitable": True},
    "s:budget": {"budget_min": "250000"},
    "s:soon": {"closes_before": "2026-04-01T00:00:00+00:00", "closing": ["this_week"]},
    "s:buyer": {"buyer": ["provincie-noord-holland"]},
    "s:predict": {"q": "prediction models", "kind": ["funding"]},
    "s:nothing": {"q": "onderzeeër"},
}


@pytest.fixture
def stored(corpus, backend, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        for key, data in STORED.items():
            stored_query_register(key=key, query=OpportunityQuery.from_json(data))
    backend.refresh()


def test_percolate_finds_the_stored_queries_that_match(corpus, backend, stored):
    assert opportunity_percolate(opportunity_id=corpus["arena"].pk) == [
        "s:all",
        "s:drukte",
        "s:soon",
    ]
    assert opportunity_percolate(opportunity_id=corpus["air"].pk) == [
        "s:all",
        "s:buyer",
        "s:drukte",
        "s:tender-nh",
        "s:zoekt-sme",
    ]
    assert opportunity_percolate(opportunity_id=corpus["waste"].pk) == [
        "s:all",
        "s:budget",
        "s:open-72",
        "s:tender-nh",
    ]
    assert opportunity_percolate(opportunity_id=corpus["energy"].pk) == [
        "s:all",
        "s:budget",
        "s:predict",
    ]


def test_percolate_ignores_what_is_not_public(corpus, backend, stored):
    assert opportunity_percolate(opportunity_id=corpus["draft"].pk) == []
    assert opportunity_percolate(opportunity_id=corpus["withdrawn"].pk) == []


def test_percolate_agrees_with_search(corpus, backend, stored):
    """Each stored query, run as a search, finds exactly the opportunities it percolates to."""
    by_key: dict[str, set[str]] = {key: set() for key in STORED}
    for name in PUBLIC:
        for key in opportunity_percolate(opportunity_id=corpus[name].pk):
            by_key[key].add(name)
    for key, data in STORED.items():
        query = OpportunityQuery.from_json(data).replace(page_size=100)
        page = backend.search(query, visible=opportunity_list_public())
        assert set(names(corpus, page)) == by_key[key], key


def test_unregistered_and_replaced_queries(
    corpus, backend, stored, django_capture_on_commit_callbacks
):
    from search.services import stored_query_unregister

    with django_capture_on_commit_callbacks(execute=True):
        stored_query_unregister(key="s:all")
        stored_query_register(key="s:drukte", query=OpportunityQuery(q="afvalinzameling"))
    backend.refresh()
    assert opportunity_percolate(opportunity_id=corpus["arena"].pk) == ["s:soon"]
    assert "s:drukte" in opportunity_percolate(opportunity_id=corpus["waste"].pk)


# --- removal ----------------------------------------------------------------------------------


def test_withdrawing_removes_from_the_index(corpus, backend, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.opportunity_withdraw(opportunity=corpus["arena"], by=corpus.alice)
    backend.refresh()
    assert found(corpus, backend, q="drukte") == {"air"}
    assert backend.count() == len(PUBLIC) - 1


def test_remove_takes_it_out_and_index_puts_it_back(corpus, backend):
    backend.remove([corpus["air"].pk])
    backend.refresh()
    assert found(corpus, backend, q="zoekt") == set()
    backend.index([corpus["air"].pk])
    backend.refresh()
    assert found(corpus, backend, q="zoekt") == {"air"}


def test_an_amendment_is_searchable(corpus, backend, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.opportunity_update(
            opportunity=corpus["cafe"],
            by=corpus.alice,
            data={"summary": "Nu ook met een zonnepark."},
            reason="Zonnepark toegevoegd",
        )
    backend.refresh()
    assert found(corpus, backend, q="zonnepark") == {"cafe"}


def test_status_follows_the_clock_without_reindexing(corpus, backend):
    with time_machine.travel(NOW + 6 * DAY, tick=False):
        assert "arena" not in found(corpus, backend, status="published")
        assert "arena" in found(corpus, backend, status="closed")


def test_rebuild_indexes_every_public_opportunity(corpus, backend):
    result = backend.rebuild()
    backend.refresh()
    assert result.indexed == len(PUBLIC)
    assert backend.count() == len(PUBLIC)
    assert found(corpus, backend, q="zoekt") == {"air"}


def test_dates_accept_a_datetime(corpus, backend):
    after = (NOW + 15 * DAY).isoformat()
    assert found(corpus, backend, closes_after=after) == {"air", "energy", "waste"}
    assert dt.datetime.fromisoformat(after)
