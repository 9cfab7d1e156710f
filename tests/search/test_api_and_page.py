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
        # one statement for count, page and every facet; the rows with their codes; buyer names
        plain = with_filter = 3
    else:
        # count, page, 3 facet queries, the rows with their codes, buyer names; a set filter
        # counts its own facet without itself: one query more
        plain, with_filter = 7, 8
    with django_assert_num_queries(plain):
        api.get("/api/v1/search/", {"q": "drukte"})
    with django_assert_num_queries(with_filter):
        api.get("/api/v1/search/", {"q": "drukte", "page_size": 20, "kind": "tender"})


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
