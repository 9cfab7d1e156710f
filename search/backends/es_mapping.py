"""Elasticsearch mappings (elasticsearch.dsl): the opportunity index, the stored-query index
used for percolation, and the label index used for type-ahead.

Text is analysed three ways, like the Python side of the database backend: Dutch with the
Kraaij-Pohlmann stemmer (`dutch_kp`: zoekt, zoeken -> zoek), Dutch Snowball (sensoren -> sensor)
and English (predicting, prediction -> predict), each after lowercasing and ASCII folding
("cafe" finds "Café"). `dutch_kp` is deprecated from Elasticsearch 8.16 on (a warning header on
index creation) and gone in 9, where the Snowball `dutch` stemmer takes over its behaviour.
"""

from __future__ import annotations

from elasticsearch.dsl import (
    Boolean,
    Date,
    Document,
    Double,
    Integer,
    Keyword,
    Long,
    Text,
    analyzer,
    token_filter,
)

nl_stop = token_filter("kansen_nl_stop", "stop", stopwords="_dutch_")
en_stop = token_filter("kansen_en_stop", "stop", stopwords="_english_")
nl_kp = token_filter("kansen_nl_kp", "stemmer", language="dutch_kp")
nl_snowball = token_filter("kansen_nl_snowball", "stemmer", language="dutch")
en_possessive = token_filter("kansen_en_possessive", "stemmer", language="possessive_english")
en_stem = token_filter("kansen_en_stem", "stemmer", language="english")
edge = token_filter("kansen_edge", "edge_ngram", min_gram=1, max_gram=20)

NL = analyzer(
    "kansen_nl", tokenizer="standard", filter=["lowercase", "asciifolding", nl_stop, nl_kp]
)
NLS = analyzer(
    "kansen_nls", tokenizer="standard", filter=["lowercase", "asciifolding", nl_stop, nl_snowball]
)
EN = analyzer(
    "kansen_en",
    tokenizer="standard",
    filter=["lowercase", "asciifolding", en_possessive, en_stop, en_stem],
)
PREFIX = analyzer("kansen_prefix", tokenizer="standard", filter=["lowercase", "asciifolding", edge])
FOLD = analyzer("kansen_fold", tokenizer="standard", filter=["lowercase", "asciifolding"])

# (subfield suffix, analyzer name): the three ways text is analysed.
TEXT_GROUPS = (("", "kansen_nl"), (".nls", "kansen_nls"), (".en", "kansen_en"))
TEXT_FIELDS = {"title": 3.0, "summary": 2.0, "description": 1.0, "labels": 1.0}


def _text(**extra_fields):
    return Text(
        analyzer=NL,
        fields={"nls": Text(analyzer=NLS), "en": Text(analyzer=EN), **extra_fields},
    )


class OpportunityDoc(Document):
    id = Long()
    kind = Keyword()
    title = _text(prefix=Text(analyzer=PREFIX, search_analyzer=FOLD))
    summary = _text()
    description = _text()
    labels = _text()
    buyer = Keyword()
    buyer_slug = Keyword()
    buyer_name = Text(analyzer=PREFIX, search_analyzer=FOLD)
    competency = Keyword(multi=True)
    cpv = Keyword(multi=True)
    cpv_division = Keyword(multi=True)
    region = Keyword(multi=True)
    province = Keyword(multi=True)
    municipality = Keyword(multi=True)
    budget_min = Double()
    budget_max = Double()
    budget_band = Keyword()
    closes_at = Date()
    published_at = Date()
    is_cancelled = Boolean()
    is_awarded = Boolean()
    is_sme_suitable = Boolean()
    is_first_timer_friendly = Boolean()
    is_public = Boolean()


class StoredQueryDoc(Document):
    """A stored query, inverted: its words (analysed like documents) and its filter values,
    "_any" where the query does not filter. See ElasticsearchBackend.percolate."""

    key = Keyword()
    has_text = Boolean()
    terms_nl = Keyword(multi=True)
    required_nl = Integer()
    terms_nls = Keyword(multi=True)
    required_nls = Integer()
    terms_en = Keyword(multi=True)
    required_en = Integer()
    kind = Keyword(multi=True)
    status = Keyword(multi=True)
    closing = Keyword(multi=True)
    band = Keyword(multi=True)
    competency = Keyword(multi=True)
    cpv = Keyword(multi=True)
    region = Keyword(multi=True)
    buyer = Keyword(multi=True)
    sme = Keyword(multi=True)
    first_timer = Keyword(multi=True)
    budget_min = Double()
    budget_max = Double()
    closes_after = Date()
    closes_before = Date()


class LabelDoc(Document):
    type = Keyword()
    value = Keyword()
    label_nl = Keyword(index=False)
    label_en = Keyword(index=False)
    text = Text(analyzer=PREFIX, search_analyzer=FOLD)
    rank = Long()


ANALYSIS_SETTINGS_SOURCE = OpportunityDoc
