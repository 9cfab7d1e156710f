#!/usr/bin/env python3
"""Smoke test for the local Elasticsearch node started by scripts/elasticsearch/run.

    scripts/elasticsearch/run --port 9200 &        # wait for KANSEN-ELASTICSEARCH-READY
    python scripts/elasticsearch/smoke_test.py http://127.0.0.1:9200

Needs the `elasticsearch` Python client (8.x). Creates and deletes indices named kansen-smoke-*.
Prints one line per check and exits non-zero if an expected feature does not work. The "probe"
lines at the end only report which optional Elasticsearch features this node has (see NOTES.md).
"""

import sys
import time
import warnings

from elasticsearch import ApiError, Elasticsearch, helpers

URL = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:9200"
PREFIX = "kansen-smoke-"
failures = []


def check(name, ok, detail=""):
    print(f"{'PASS' if ok else 'FAIL'}  {name}{'  -- ' + str(detail) if detail else ''}")
    if not ok:
        failures.append(name)


def ids(resp):
    return sorted(hit["_id"] for hit in resp["hits"]["hits"])


def reason(e):
    """The most specific reason Elasticsearch gave for an error."""
    error = e.body.get("error") if isinstance(e.body, dict) else None
    if isinstance(error, dict):
        causes = error.get("root_cause") or [error]
        return f"{causes[0].get('type')}: {causes[0].get('reason')}"
    return e.message


def tokens(es, index=None, **body):
    resp = es.indices.analyze(index=index, **body)
    return [t["token"] for t in resp["tokens"]]


es = Elasticsearch(URL, request_timeout=60)
for name in es.indices.get(index=PREFIX + "*", expand_wildcards="all"):
    es.indices.delete(index=name)

info = es.info()
check(
    "info() reports Elasticsearch 8.x",
    info["version"]["number"].startswith("8."),
    info["version"]["number"],
)
check("ping()", es.ping())

# --- analysis ---------------------------------------------------------------------------------
check("dutch analyzer: zoeken -> zoek", tokens(es, analyzer="dutch", text="zoeken") == ["zoek"])
check(
    "english analyzer: predicting -> predict",
    tokens(es, analyzer="english", text="predicting") == ["predict"],
)
check(
    "asciifolding + lowercase",
    tokens(es, tokenizer="standard", filter=["lowercase", "asciifolding"], text="Café Crème")
    == ["cafe", "creme"],
)
check(
    "stemmer language=dutch_kp: zoekt -> zoek",
    tokens(
        es,
        tokenizer="standard",
        filter=["lowercase", {"type": "stemmer", "language": "dutch_kp"}],
        text="zoekt",
    )
    == ["zoek"],
)
check(
    "snowball language=Dutch",
    tokens(
        es,
        tokenizer="standard",
        filter=["lowercase", {"type": "snowball", "language": "Dutch"}],
        text="voorspellen",
    )
    == ["voorspell"],
)
check(
    "edge_ngram filter",
    tokens(
        es,
        tokenizer="standard",
        filter=["lowercase", {"type": "edge_ngram", "min_gram": 2, "max_gram": 4}],
        text="Fiets",
    )
    == ["fi", "fie", "fiet"],
)
check(
    "edge_ngram tokenizer with token_chars",
    tokens(
        es,
        tokenizer={"type": "edge_ngram", "min_gram": 2, "max_gram": 3, "token_chars": ["letter"]},
        text="ab cd",
    )
    == ["ab", "cd"],
)
check("keyword tokenizer", tokens(es, tokenizer="keyword", text="Oude Fiets") == ["Oude Fiets"])
check("whitespace tokenizer", tokens(es, tokenizer="whitespace", text="a-b c") == ["a-b", "c"])
check(
    "html_strip + mapping char filters",
    tokens(
        es,
        tokenizer="keyword",
        char_filter=["html_strip", {"type": "mapping", "mappings": ["ß => ss"]}],
        text="<b>Straße</b>",
    )
    == ["Strasse"],
)

# --- an index like Kansen's listings -----------------------------------------------------------
listings = PREFIX + "listings"
es.indices.create(
    index=listings,
    settings={
        "number_of_shards": 1,
        "number_of_replicas": 0,
        "analysis": {
            "filter": {
                "dutch_stop": {"type": "stop", "stopwords": "_dutch_"},
                "dutch_kp": {"type": "stemmer", "language": "dutch_kp"},
                "english_stemmer": {"type": "stemmer", "language": "english"},
                "autocomplete": {"type": "edge_ngram", "min_gram": 2, "max_gram": 15},
                "nl_synonyms": {
                    "type": "synonym_graph",
                    "synonyms": ["fiets, rijwiel", "bank, sofa"],
                },
            },
            "analyzer": {
                "nl_folded": {
                    "tokenizer": "standard",
                    "filter": ["lowercase", "asciifolding", "dutch_stop", "dutch_kp"],
                },
                "en_folded": {
                    "tokenizer": "standard",
                    "filter": ["lowercase", "asciifolding", "english_stemmer"],
                },
                "autocomplete": {
                    "tokenizer": "standard",
                    "filter": ["lowercase", "asciifolding", "autocomplete"],
                },
                "nl_search_synonyms": {
                    "tokenizer": "standard",
                    "filter": ["lowercase", "nl_synonyms"],
                },
            },
            "normalizer": {"folded": {"type": "custom", "filter": ["lowercase", "asciifolding"]}},
        },
    },
    mappings={
        "properties": {
            "title_nl": {
                "type": "text",
                "analyzer": "dutch",
                "fields": {"folded": {"type": "text", "analyzer": "nl_folded"}},
            },
            "title_en": {
                "type": "text",
                "analyzer": "english",
                "fields": {"folded": {"type": "text", "analyzer": "en_folded"}},
            },
            "suggest": {"type": "text", "analyzer": "autocomplete", "search_analyzer": "standard"},
            "body": {
                "type": "text",
                "analyzer": "standard",
                "search_analyzer": "nl_search_synonyms",
            },
            "category": {"type": "keyword"},
            "city": {"type": "keyword", "normalizer": "folded"},
            "price": {"type": "double"},
            "created": {"type": "date"},
            "location": {"type": "geo_point"},
        }
    },
)
docs = {
    "1": {
        "title_nl": "Wij zoeken een oppas",
        "title_en": "We are looking for a babysitter",
        "category": "werk",
        "city": "Den Haag",
        "price": 12.5,
        "created": "2024-05-01",
        "suggest": "Wij zoeken een oppas",
        "body": "oude fiets te koop",
        "location": {"lat": 52.07, "lon": 4.30},
    },
    "2": {
        "title_nl": "Voorspellen van het weer",
        "title_en": "Weather prediction service",
        "category": "diensten",
        "city": "Utrecht",
        "price": 30,
        "created": "2024-05-02",
        "suggest": "Voorspellen van het weer",
        "body": "een mooie bank",
        "location": {"lat": 52.09, "lon": 5.12},
    },
    "3": {
        "title_nl": "Gezellig café in het centrum",
        "title_en": "Cosy Café downtown",
        "category": "horeca",
        "city": "Café-Zuid",
        "price": 4.2,
        "created": "2024-05-03",
        "suggest": "Gezellig Café in het centrum",
        "body": "terras en koffie",
        "location": {"lat": 52.37, "lon": 4.89},
    },
    "4": {
        "title_nl": "Kinderfiets te koop",
        "title_en": "Children's bike for sale",
        "category": "te-koop",
        "city": "Utrecht",
        "price": 45,
        "created": "2024-05-04",
        "suggest": "Kinderfiets te koop",
        "body": "rijwiel met zijwieltjes",
        "location": {"lat": 52.10, "lon": 5.10},
    },
}
for doc_id, doc in docs.items():
    es.index(index=listings, id=doc_id, document=doc)
es.indices.refresh(index=listings)


def search(**body):
    return es.search(index=listings, **body)


r = search(query={"match": {"title_nl": "voorspelling"}})
check("dutch: 'voorspelling' finds 'voorspellen'", ids(r) == ["2"], ids(r))
r = search(query={"match": {"title_nl": "zoeken"}})
check("dutch: 'zoeken' finds 'zoeken'", ids(r) == ["1"], ids(r))
r = search(query={"match": {"title_nl": "zoekt"}})
print(
    f"INFO  stock 'dutch' analyzer (Lucene DutchAnalyzer, as in real ES 8.x): 'zoekt' finds {ids(r)}"
)
r = search(query={"match": {"title_nl.folded": "zoekt"}})
check("dutch_kp custom analyzer: 'zoekt' finds 'zoeken'", ids(r) == ["1"], ids(r))
r = search(query={"match": {"title_en": "predicting"}})
check("english: 'predicting' finds 'prediction'", ids(r) == ["2"], ids(r))
r = search(query={"match": {"title_en.folded": "cafe"}})
check("asciifolding: 'cafe' finds 'Café'", ids(r) == ["3"], ids(r))
r = search(query={"term": {"city": "cafe-zuid"}})
check("keyword normalizer with asciifolding", ids(r) == ["3"], ids(r))
r = search(query={"match": {"suggest": "voorsp"}})
check("edge_ngram type-ahead: 'voorsp' finds 'Voorspellen'", ids(r) == ["2"], ids(r))
r = search(query={"match": {"body": "fiets"}})
check("synonym_graph at search time: 'fiets' also finds 'rijwiel'", ids(r) == ["1", "4"], ids(r))
r = search(
    size=0,
    aggs={"cats": {"terms": {"field": "category"}}, "avg_price": {"avg": {"field": "price"}}},
)
buckets = {b["key"]: b["doc_count"] for b in r["aggregations"]["cats"]["buckets"]}
check(
    "terms aggregation", buckets == {"werk": 1, "diensten": 1, "horeca": 1, "te-koop": 1}, buckets
)
check(
    "avg aggregation",
    abs(r["aggregations"]["avg_price"]["value"] - 22.925) < 1e-9,
    r["aggregations"]["avg_price"],
)
r = search(
    size=0,
    aggs={
        "per_day": {"date_histogram": {"field": "created", "calendar_interval": "day"}},
        "price_ranges": {"range": {"field": "price", "ranges": [{"to": 20}, {"from": 20}]}},
    },
)
check("date_histogram + range aggregations", len(r["aggregations"]["per_day"]["buckets"]) == 4)
r = search(query={"match": {"title_nl": "voorspelling"}}, highlight={"fields": {"title_nl": {}}})
hl = r["hits"]["hits"][0].get("highlight", {}).get("title_nl", [])
check("highlight", hl == ["<em>Voorspellen</em> van het weer"], hl)
r = search(query={"geo_distance": {"distance": "10km", "location": {"lat": 52.09, "lon": 5.12}}})
check("geo_distance query", ids(r) == ["2", "4"], ids(r))
r = search(query={"multi_match": {"query": "fiets koop", "fields": ["title_nl", "title_en"]}})
check("multi_match", "4" in ids(r), ids(r))

# --- saved searches matched in reverse with terms_set (no percolator module) --------------------
saved = PREFIX + "saved-searches"
es.indices.create(
    index=saved,
    mappings={"properties": {"terms": {"type": "keyword"}, "required_matches": {"type": "long"}}},
)
saved_docs = {
    "s1": {"terms": ["fiets", "utrecht"], "required_matches": 2},
    "s2": {"terms": ["fiets", "amsterdam"], "required_matches": 2},
    "s3": {"terms": ["fiets"], "required_matches": 1},
    "s4": {"terms": ["oppas"], "required_matches": 1},
}
for doc_id, doc in saved_docs.items():
    es.index(index=saved, id=doc_id, document=doc)
es.indices.refresh(index=saved)
new_listing_terms = ["fiets", "utrecht", "te-koop"]
r = es.search(
    index=saved,
    query={
        "terms_set": {
            "terms": {"terms": new_listing_terms, "minimum_should_match_field": "required_matches"}
        }
    },
)
check("terms_set with minimum_should_match_field (reverse match)", ids(r) == ["s1", "s3"], ids(r))
try:
    es.search(
        index=saved,
        query={
            "terms_set": {
                "terms": {
                    "terms": new_listing_terms,
                    "minimum_should_match_script": {
                        "source": "Math.min(params.num_terms, doc['required_matches'].value)"
                    },
                }
            }
        },
    )
    print("INFO  terms_set with minimum_should_match_script: works")
except ApiError as e:
    print(f"INFO  terms_set with minimum_should_match_script: {e.meta.status} {reason(e)}")

# --- bulk --------------------------------------------------------------------------------------
bulk_index = PREFIX + "bulk"
es.indices.create(
    index=bulk_index,
    settings={"number_of_shards": 1, "number_of_replicas": 0},
    mappings={
        "properties": {"title": {"type": "text", "analyzer": "dutch"}, "n": {"type": "integer"}}
    },
)
t0 = time.monotonic()
ok, errors = helpers.bulk(
    es,
    (
        {
            "_index": bulk_index,
            "_id": str(i),
            "_source": {"title": f"advertentie nummer {i} fietsen", "n": i},
        }
        for i in range(10_000)
    ),
    chunk_size=2000,
    raise_on_error=False,
)
es.indices.refresh(index=bulk_index)
elapsed = time.monotonic() - t0
count = es.count(index=bulk_index)["count"]
check(
    f"bulk 10,000 docs ({elapsed:.2f}s incl. refresh)",
    ok == 10_000 and not errors and count == 10_000,
    count,
)
r = es.search(index=bulk_index, query={"match": {"title": "fiets"}}, size=0, track_total_hits=True)
check("search over bulk docs", r["hits"]["total"]["value"] == 10_000, r["hits"]["total"])

# --- probes: optional features (report only) --------------------------------------------------
print("\nProbes (which optional Elasticsearch features this node has):")


def probe(name, fn):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fn()
        print(f"  works    {name}")
    except ApiError as e:
        print(f"  missing  {name}: {e.meta.status} {reason(e)}")


probe(
    "mapping type percolator",
    lambda: es.indices.create(
        index=PREFIX + "p1", mappings={"properties": {"q": {"type": "percolator"}}}
    ),
)
probe(
    "mapping type search_as_you_type",
    lambda: es.indices.create(
        index=PREFIX + "p2", mappings={"properties": {"s": {"type": "search_as_you_type"}}}
    ),
)
probe(
    "mapping type scaled_float",
    lambda: es.indices.create(
        index=PREFIX + "p3",
        mappings={"properties": {"s": {"type": "scaled_float", "scaling_factor": 100}}},
    ),
)
probe(
    "mapping type rank_feature",
    lambda: es.indices.create(
        index=PREFIX + "p4", mappings={"properties": {"s": {"type": "rank_feature"}}}
    ),
)
probe(
    "mapping type join",
    lambda: es.indices.create(
        index=PREFIX + "p5",
        mappings={"properties": {"j": {"type": "join", "relations": {"a": "b"}}}},
    ),
)
probe(
    "mapping type completion (suggester)",
    lambda: es.indices.create(
        index=PREFIX + "p6", mappings={"properties": {"c": {"type": "completion"}}}
    ),
)
probe(
    "mapping type dense_vector + knn",
    lambda: (
        es.indices.create(
            index=PREFIX + "p7", mappings={"properties": {"v": {"type": "dense_vector", "dims": 3}}}
        ),
        es.index(index=PREFIX + "p7", id="1", document={"v": [1, 0, 0]}, refresh=True),
        es.search(
            index=PREFIX + "p7",
            knn={"field": "v", "query_vector": [1, 0, 0], "k": 1, "num_candidates": 5},
        ),
    ),
)
probe(
    "painless script_score",
    lambda: es.search(
        index=listings,
        query={
            "script_score": {
                "query": {"match_all": {}},
                "script": {"source": "doc['price'].value * 2"},
            }
        },
    ),
)
probe(
    "_update with script",
    lambda: es.update(index=listings, id="1", script={"source": "ctx._source.price += 1"}),
)
probe(
    "_delete_by_query",
    lambda: es.delete_by_query(index=listings, query={"term": {"category": "nothing"}}),
)
probe(
    "_update_by_query",
    lambda: es.update_by_query(index=listings, query={"term": {"category": "nothing"}}),
)
probe(
    "_reindex",
    lambda: es.reindex(source={"index": listings}, dest={"index": PREFIX + "copy"}, refresh=True),
)
probe(
    "ingest pipeline with set processor",
    lambda: es.ingest.put_pipeline(
        id="kansen-smoke", processors=[{"set": {"field": "x", "value": 1}}]
    ),
)
probe(
    "completion suggester query",
    lambda: (
        es.index(
            index=PREFIX + "p6", id="1", document={"c": "Voorspellen van het weer"}, refresh=True
        ),
        es.search(
            index=PREFIX + "p6", suggest={"s": {"prefix": "voor", "completion": {"field": "c"}}}
        ),
    ),
)
probe(
    "term suggester",
    lambda: es.search(
        index=listings, suggest={"s": {"text": "fietz", "term": {"field": "title_nl"}}}
    ),
)
probe(
    "significant_terms aggregation",
    lambda: es.search(
        index=listings, size=0, aggs={"s": {"significant_terms": {"field": "category"}}}
    ),
)
probe(
    "composite aggregation",
    lambda: es.search(
        index=listings,
        size=0,
        aggs={"c": {"composite": {"sources": [{"cat": {"terms": {"field": "category"}}}]}}},
    ),
)
probe(
    "search template (mustache)",
    lambda: es.search_template(
        index=listings, source={"query": {"match": {"title_nl": "{{q}}"}}}, params={"q": "weer"}
    ),
)
probe(
    "function_score field_value_factor + gauss decay",
    lambda: es.search(
        index=listings,
        query={
            "function_score": {
                "query": {"match_all": {}},
                "functions": [
                    {"field_value_factor": {"field": "price", "missing": 1}},
                    {"gauss": {"created": {"origin": "2024-05-04", "scale": "2d"}}},
                ],
            }
        },
    ),
)
probe(
    "nested + collapse + rescore + more_like_this",
    lambda: (
        es.indices.create(
            index=PREFIX + "p8",
            mappings={
                "properties": {
                    "n": {"type": "nested"},
                    "k": {"type": "keyword"},
                    "t": {"type": "text"},
                }
            },
        ),
        es.index(
            index=PREFIX + "p8",
            id="1",
            document={"n": [{"a": 1}], "k": "x", "t": "oude fiets"},
            refresh=True,
        ),
        es.search(
            index=PREFIX + "p8",
            query={"nested": {"path": "n", "query": {"term": {"n.a": 1}}}},
            collapse={"field": "k"},
        ),
        es.search(
            index=PREFIX + "p8",
            query={"match": {"t": "fiets"}},
            rescore={"query": {"rescore_query": {"match_phrase": {"t": "oude fiets"}}}},
        ),
        es.search(
            index=PREFIX + "p8",
            query={
                "more_like_this": {
                    "fields": ["t"],
                    "like": "oude fiets",
                    "min_term_freq": 1,
                    "min_doc_freq": 1,
                }
            },
        ),
    ),
)
probe(
    "query_string + simple_query_string + match_bool_prefix",
    lambda: (
        es.search(
            index=listings, query={"query_string": {"query": "title_nl:weer AND category:diensten"}}
        ),
        es.search(
            index=listings,
            query={
                "simple_query_string": {"query": "weer +utrecht", "fields": ["title_nl", "city"]}
            },
        ),
        es.search(index=listings, query={"match_bool_prefix": {"title_nl": "voorspellen van h"}}),
    ),
)
probe(
    "scroll + helpers.scan",
    lambda: list(helpers.scan(es, index=listings, query={"query": {"match_all": {}}})),
)
probe(
    "point in time + search_after", lambda: es.open_point_in_time(index=listings, keep_alive="1m")
)
probe("aliases", lambda: es.indices.put_alias(index=listings, name=PREFIX + "alias"))
probe(
    "index templates",
    lambda: es.indices.put_index_template(
        name="kansen-smoke",
        index_patterns=[PREFIX + "tpl-*"],
        template={"settings": {"number_of_replicas": 0}},
    ),
)

for name in es.indices.get(index=PREFIX + "*", expand_wildcards="all"):
    es.indices.delete(index=name)
try:
    es.indices.delete_index_template(name="kansen-smoke")
    es.ingest.delete_pipeline(id="kansen-smoke")
except ApiError:
    pass

print()
if failures:
    print(f"{len(failures)} failed: {failures}")
    sys.exit(1)
print("all checks passed")
