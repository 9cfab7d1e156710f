"""The search API, the suggestions endpoint and the search page (database backend)."""

from __future__ import annotations

import pytest
import time_machine

from tests.search.conftest import NOW

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def at_now():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def db_backend(settings):
    settings.SEARCH_BACKEND = "database"


@pytest.fixture
def corpus_db(db_backend, request):
    return request.getfixturevalue("corpus")


@pytest.fixture
def corpus(reference_data, amsterdam, province, django_capture_on_commit_callbacks, settings):
    settings.SEARCH_BACKEND = "database"
    from search import get_backend
    from tests.search import conftest

    return conftest.corpus.__wrapped__(
        get_backend(), None, amsterdam, province, django_capture_on_commit_callbacks
    )


def test_search_api_returns_count_results_and_facets(corpus, api):
    response = api.get("/api/v1/search/", {"q": "drukte", "page_size": 1})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    (first,) = body["results"]
    assert first["id"] == corpus["arena"].pk
    assert first["highlight"]["title"].startswith("<mark>Drukte</mark>")
    assert {
        "id",
        "kind",
        "title",
        "summary",
        "status",
        "buyer",
        "closes_at",
        "published_at",
        "competencies",
        "cpv_codes",
        "regions",
        "budget_min",
        "budget_max",
        "url",
    } <= set(first)
    assert first["competencies"] == ["behaviour-prediction"]
    assert body["next"].endswith("page=2&page_size=1") or "page=2" in body["next"]
    assert body["facets"]["kind"] == [
        {"value": "tender", "label": "tender", "count": 1},
        {"value": "co_creation", "label": "co-creation call", "count": 1},
    ]
    assert body["degraded"] is False


def test_search_api_takes_the_opportunity_filters(corpus, api):
    body = api.get("/api/v1/search/?kind=tender&region=NL32&sort=closing&facets=false").json()
    assert [r["id"] for r in body["results"]][:3] == [
        corpus["awarded"].pk,
        corpus["closed"].pk,
        corpus["air"].pk,
    ]
    assert body["facets"] == {}


def test_search_api_names_bad_parameters(corpus, api):
    response = api.get("/api/v1/search/", {"kind": "boat", "budget_min": "lots", "sort": "x"})
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"kind", "budget_min", "sort"}


def test_search_api_query_count_is_fixed(corpus, api, django_assert_num_queries):
    from django.db import connection

    api.get("/api/v1/search/", {"q": "drukte"})  # warm the label caches
    if connection.vendor == "postgresql":
        # one statement for count, page and every facet; the rows; their codes (one constant
        # statement, cheaper than compiling correlated subqueries); buyer names
        plain = with_filter = 4
    else:
        # count, page, 3 facet queries, the rows, their codes, buyer names; a set filter
        # counts its own facet without itself: one query more
        plain, with_filter = 8, 9
    with django_assert_num_queries(plain):
        api.get("/api/v1/search/", {"q": "drukte"})
    with django_assert_num_queries(with_filter):
        api.get("/api/v1/search/", {"q": "drukte", "page_size": 20, "kind": "tender"})


def test_search_result_rows_and_their_fast_serializer_match_the_declared_fields(corpus):
    """`result_rows` reads the codes in a second statement and `SearchResultSerializer` writes
    its dictionary out by hand: both must give what the related managers and the declared
    fields give."""
    from rest_framework import serializers

    from search.apis import SearchResultSerializer
    from search.backends.base import result_rows
    from tenders.models import Opportunity
    from tenders.selectors import opportunity_list_public

    everything = list(Opportunity.objects.values_list("pk", flat=True))
    rows = result_rows(opportunity_list_public(), [*everything, 10**9])
    assert rows and {o.pk for o in rows} == set(
        opportunity_list_public().values_list("pk", flat=True)
    )
    serializer = SearchResultSerializer()
    for row in rows:
        fresh = Opportunity.objects.get(pk=row.pk)
        assert row.codes == {
            "competencies": sorted(c.slug for c in fresh.competencies.all()),
            "cpv_codes": sorted(c.code for c in fresh.cpv_codes.all()),
            "regions": sorted(r.code for r in fresh.regions.all()),
        }
        row.highlight = {"title": "<mark>t</mark>", "text": ""}
        fast = serializer.to_representation(row)
        generic = serializers.Serializer.to_representation(serializer, row)
        assert list(fast.items()) == list(generic.items())
    assert any(o.codes["competencies"] and o.codes["regions"] for o in rows)
    assert any(o.budget_max is not None for o in rows) and any(o.closes_at for o in rows)


def test_suggest_api(corpus, api):
    body = api.get("/api/v1/search/suggest/", {"q": "gemeente ams"}).json()
    assert {"type": "buyer", "text": "Gemeente Amsterdam", "value": "gemeente-amsterdam"} in body[
        "suggestions"
    ]
    assert api.get("/api/v1/search/suggest/").json() == {"suggestions": []}


def test_search_page_works_without_javascript(corpus, client):
    response = client.get("/search/", {"q": "drukte", "kind": "co_creation"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<mark>Drukte</mark> voorspellen" in html
    assert 'name="kind" value="co_creation"' in html and "checked" in html
    assert "1 opportunity found" in html
    assert '<form method="get" action="/search/"' in html
    assert "/static/js/search.js" in html and "cdn" not in html.lower()


def test_search_page_empty_state_helps(corpus, client):
    html = client.get("/search/", {"q": "onderzeeboot", "kind": "tender"}).content.decode()
    assert "Nothing matches yet" in html
    assert 'href="?q=onderzeeboot"' in html  # search again without filters


def test_search_page_explains_bad_parameters(corpus, client):
    response = client.get("/search/", {"budget_min": "veel"})
    assert response.status_code == 200
    assert "could not be used" in response.content.decode()


def test_search_page_pages_keep_the_query(corpus, client):
    html = client.get("/search/", {"q": "", "sort": "closing", "page_size": "3"}).content.decode()
    assert 'href="?sort=closing&amp;page=2&amp;page_size=3"' in html
