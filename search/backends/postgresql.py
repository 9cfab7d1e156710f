"""The database backend's searches on PostgreSQL: one statement per search.

The generic (ORM) path of `DatabaseBackend.engine_search` asks one query for the count, one for
the page and two or three per facet group, each repeating the full-text match and joining the
`SearchValue` rows (about 22 per document). At 100,000 documents that took up to a second.
Here a search is one SQL statement:

* `m`, a materialised CTE: the documents that match the words and the filters without a facet
  (dates and budget), with one boolean per facet filter, status and closing window worked out
  from the timestamps and `now` (status is never stored), and the relevance score of the rows
  that pass every filter;
* then, from `m` only: the page (sorted, offset, limited), the count, and for each facet the
  counts among the rows that pass every filter but that facet's own ("disjunctive" facets).

Many-valued fields are tokens in two strings per document (`SearchDocument.tags` for filters,
GIN indexed as an array; `facet_tags` for counting; see `doc_tags`). With words the statement
reads `search_fts` alone, which holds copies of the document columns next to the tsvector, so
the rows the full-text index finds need no join; without words it reads the narrower
`search_searchdocument`. Without facets, every filter goes into the CTE's WHERE clause (so the
GIN indexes on words and tags choose the rows) and only the page and the count come out.

The semantics are those of the generic path (`status_q`, `closing_q`, `fixed_filter`, `boost`,
`facet_filters` in `search.backends.database`); the contract suite runs against both.
"""

# ruff: noqa: S608 -- SQL is assembled from this module's constants; every value is a parameter.
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import connection

from search.backends.base import FACET_SIZE, FACETS, EngineResult, Hit
from search.query import BUDGET_BAND_VALUES, OpportunityQuery, cpv_prefix

# One letter per many-valued field of `documents.IndexedOpportunity`.
TAG_CODES = {
    "competency": "c",
    "cpv": "v",
    "cpv_division": "d",
    "region": "r",
    "province": "p",
    "municipality": "m",
}
FILTERED = ("competency", "cpv", "region")  # in `tags`
COUNTED = ("competency", "cpv_division", "province", "municipality")  # in `facet_tags`
# The facet that counts each code of `facet_tags`.
TAG_FACETS = {"c": "competency", "d": "cpv", "p": "province", "m": "municipality"}

LIVE = "NOT d.is_cancelled AND NOT d.is_awarded"
# `database.status_q` and `database.closing_q` as conditions (the planner estimates these from
# column statistics, which it cannot for a CASE expression compared with a list) ...
STATUS_WHERE = {
    "published": f"({LIVE} AND (d.closes_at IS NULL OR d.closes_at > %(now)s))",
    "closed": f"({LIVE} AND d.closes_at <= %(now)s)",
    "awarded": "(NOT d.is_cancelled AND d.is_awarded)",
    "cancelled": "d.is_cancelled",
}
CLOSING_WHERE = {
    "this_week": f"({LIVE} AND d.closes_at > %(now)s AND d.closes_at <= %(week)s)",
    "this_month": f"({LIVE} AND d.closes_at > %(week)s AND d.closes_at <= %(month)s)",
    "later": f"({LIVE} AND (d.closes_at > %(month)s OR d.closes_at IS NULL))",
}
# ... and as one value per row, to count them (each row has one status, at most one window).
STATUS = (
    "CASE WHEN d.is_cancelled THEN 'cancelled' WHEN d.is_awarded THEN 'awarded'"
    " WHEN d.closes_at <= %(now)s THEN 'closed' ELSE 'published' END"
)
CLOSING = (
    "CASE WHEN d.is_cancelled OR d.is_awarded THEN NULL WHEN d.closes_at IS NULL THEN 'later'"
    " WHEN d.closes_at <= %(now)s THEN NULL WHEN d.closes_at <= %(week)s THEN 'this_week'"
    " WHEN d.closes_at <= %(month)s THEN 'this_month' ELSE 'later' END"
)
# `database.boost`: 1, plus 0.5 when open, plus 0.5 (within 7 days) or 0.25 (within 30 days).
BOOST = (
    f"(1.0 + CASE WHEN {LIVE} AND (d.closes_at IS NULL OR d.closes_at > %(now)s)"
    " THEN 0.5 ELSE 0.0 END"
    f" + CASE WHEN {LIVE} AND d.closes_at > %(now)s AND d.closes_at <= %(week)s THEN 0.5"
    f" WHEN {LIVE} AND d.closes_at > %(now)s AND d.closes_at <= %(month)s THEN 0.25"
    " ELSE 0.0 END)"
)
RANK = "ts_rank_cd(d.tsv, to_tsquery('simple', %(tsquery)s))"
ORDER = {
    "closing": "closes_at ASC NULLS LAST, opportunity_id ASC",
    "newest": "published_at DESC, opportunity_id DESC",
    "relevance": "score DESC, published_at DESC, opportunity_id DESC",
}


def doc_tags(values: dict[str, Iterable[str]]) -> tuple[str, str]:
    """`tags` and `facet_tags` of a document from its many-valued fields (field -> values):
    tokens of a one-letter field code and the value, with a space before and after each."""

    def tokens(fields) -> str:
        found = [f"{TAG_CODES[f]}{v}" for f in fields for v in values.get(f, ()) if v]
        return f" {' '.join(found)} " if found else ""

    return tokens(FILTERED), tokens(COUNTED)


class _Sql:
    """Collects the parameters of one statement."""

    def __init__(self, **params):
        self.params = params

    def param(self, value) -> str:
        name = f"p{len(self.params)}"
        self.params[name] = value
        return f"%({name})s"

    def tags(self, code: str, values: Iterable[str], *, indexed: bool) -> str:
        """Documents with any of these values. `indexed`: as the GIN-indexed array expression
        (to choose rows in a WHERE clause); else as substring tests, cheaper row by row."""
        found = sorted({f"{code}{v}" for v in values})
        if indexed:
            return f"string_to_array(d.tags, ' ') && {self.param(found)}::text[]"
        tests = [f"strpos(d.tags, {self.param(f' {t} ')}) > 0" for t in found]
        return "(" + " OR ".join(tests) + ")"


def facet_filters(query: OpportunityQuery, sql: _Sql, *, indexed: bool) -> dict[str, str]:
    """SQL conditions on `d` for the filters that facets can leave out, by filter name."""
    out: dict[str, str] = {}
    if query.kind:
        out["kind"] = f"d.kind = ANY({sql.param(list(query.kind))})"
    if query.status:
        out["status"] = "(" + " OR ".join(STATUS_WHERE[s] for s in query.status) + ")"
    if query.closing:
        out["closing"] = "(" + " OR ".join(CLOSING_WHERE[w] for w in query.closing) + ")"
    if query.budget_band:
        out["budget_band"] = f"d.budget_band = ANY({sql.param(list(query.budget_band))})"
    if query.sme_suitable is not None:
        out["sme_suitable"] = f"d.is_sme_suitable = {sql.param(query.sme_suitable)}"
    if query.first_timer_friendly is not None:
        out["first_timer_friendly"] = (
            f"d.is_first_timer_friendly = {sql.param(query.first_timer_friendly)}"
        )
    if query.buyer:
        ids = [int(b) for b in query.buyer if b.isdigit()]
        out["buyer"] = (
            f"(d.buyer_id = ANY({sql.param(ids)})"
            f" OR d.buyer_slug = ANY({sql.param(list(query.buyer))}))"
        )
    if query.competency:
        out["competency"] = sql.tags("c", query.competency, indexed=indexed)
    if query.cpv:
        out["cpv"] = sql.tags("v", {cpv_prefix(c) for c in query.cpv}, indexed=indexed)
    if query.region:
        out["region"] = sql.tags("r", query.region, indexed=indexed)
    return out


def fixed_filter(query: OpportunityQuery, sql: _Sql) -> list[str]:
    """`fixed_filter` in search.backends.database, as SQL conditions on `d`."""
    out = []
    if query.closes_after:
        out.append(f"d.closes_at >= {sql.param(query.closes_after)}")
    if query.closes_before:
        out.append(f"d.closes_at <= {sql.param(query.closes_before)}")
    if query.budget_min is not None:
        v = sql.param(query.budget_min)
        out.append(f"(d.budget_max >= {v} OR (d.budget_max IS NULL AND d.budget_min >= {v}))")
    if query.budget_max is not None:
        v = sql.param(query.budget_max)
        out.append(f"(d.budget_min <= {v} OR (d.budget_min IS NULL AND d.budget_max <= {v}))")
    return out


def search(
    query: OpportunityQuery, *, tsquery: str | None, now: dt.datetime, facets: bool
) -> EngineResult:
    """Count, page and (optionally) facets of `query` in one statement. `tsquery` is the
    full-text query in to_tsquery syntax, or None when there are no words."""
    sql = _Sql(
        now=now,
        week=now + dt.timedelta(days=7),
        month=now + dt.timedelta(days=30),
        limit=query.page_size,
        offset=(query.page - 1) * query.page_size,
    )
    if tsquery:
        sql.params["tsquery"] = tsquery
        source = "search_fts d"
        where = ["d.tsv @@ to_tsquery('simple', %(tsquery)s)"]
        score = f"{RANK} * {BOOST}"
    else:
        source = "search_searchdocument d"
        where = []
        score = f"1.0 * {BOOST}"
    where += fixed_filter(query, sql)
    # Without words and facets the tag filters choose rows (GIN); else they test rows.
    filters = facet_filters(query, sql, indexed=not tsquery and not facets)
    if not facets:
        return _page_only(query, source, where + list(filters.values()), score, sql.params)
    return _with_facets(query, source, where, filters, score, sql.params)


def _where(conditions: list[str]) -> str:
    return " WHERE " + " AND ".join(conditions) if conditions else ""


def _page(order: str, condition: str = "TRUE") -> str:
    """The page rows of `m`: ('hit', id, score, position)."""
    return (
        f"SELECT 'hit', opportunity_id::text, score, row_number() OVER (ORDER BY {order})"
        f" FROM (SELECT * FROM m WHERE {condition} ORDER BY {order}"
        " LIMIT %(limit)s OFFSET %(offset)s) page"
    )


def _read_hits(rows) -> tuple[int, list[Hit]]:
    count = 0
    hits = []
    for kind, value, n, position in rows:
        if kind == "hit":
            hits.append((position, int(value), float(n or 0)))
        elif kind == "count":
            count = int(n)
    return count, [Hit(id=pk, score=s) for _p, pk, s in sorted(hits)]


def _page_only(query, source, conditions, score, params) -> EngineResult:
    # A materialised CTE rather than `count(*) OVER ()` with ORDER BY and LIMIT: PostgreSQL 15
    # costs that window as if the limit cut its input short and walks the closes_at index
    # through every row; planned on its own, the CTE uses the GIN and bitmap indexes.
    order = ORDER[query.sort]
    sql = (
        "WITH m AS MATERIALIZED (SELECT d.opportunity_id, d.closes_at, d.published_at,"
        f" {score} AS score FROM {source}{_where(conditions)}) "
        + _page(order)
        + " UNION ALL SELECT 'count', '', count(*), NULL FROM m"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        count, hits = _read_hits(cursor.fetchall())
    return EngineResult(count=count, hits=hits, facets={})


def _with_facets(query, source, where, filters, score, params) -> EngineResult:
    names = list(filters)
    flag = {name: f"f{n}" for n, name in enumerate(names)}
    own = {facet: (o if o in filters else "") for facet, o in FACETS.items()}

    def passing(facet: str | None = None) -> str:
        """Rows that pass every filter but the own filter of `facet`."""
        skip = own[facet] if facet else ""
        return " AND ".join(flag[n] for n in names if n != skip) or "TRUE"

    every = passing()
    # The score only for rows that pass every filter (ts_rank_cd is the costly part).
    scored = f"CASE WHEN {' AND '.join(filters.values())} THEN {score} END" if names else score
    columns = [
        "d.opportunity_id",
        "d.kind",
        "d.buyer_id",
        "d.budget_band",
        "d.is_sme_suitable",
        "d.is_first_timer_friendly",
        "d.facet_tags",
        "d.closes_at",
        "d.published_at",
        f"{STATUS} AS status",
        f"{CLOSING} AS closing",
        *(f"{filters[n]} AS {flag[n]}" for n in names),
        f"{scored} AS score",
    ]
    parts = [
        f"WITH m AS MATERIALIZED (SELECT {', '.join(columns)} FROM {source}{_where(where)}) "
        + _page(ORDER[query.sort], every),
        f"SELECT 'count', '', count(*), NULL FROM m WHERE {every}",
    ]
    for facet in ("kind", "status", "closing", "budget_band"):
        parts.append(
            f"SELECT '{facet}', {facet}::text, count(*), NULL FROM m WHERE {passing(facet)}"
            f" GROUP BY {facet}"
        )
    for facet, column in (
        ("sme_suitable", "is_sme_suitable"),
        ("first_timer_friendly", "is_first_timer_friendly"),
    ):
        parts.append(
            f"SELECT '{facet}', 'true', count(*), NULL FROM m WHERE {passing(facet)} AND {column}"
        )
    parts.append(
        f"(SELECT 'buyer', buyer_id::text, count(*), NULL FROM m WHERE {passing('buyer')}"
        f" GROUP BY buyer_id ORDER BY count(*) DESC, buyer_id LIMIT {FACET_SIZE})"
    )
    # Many-valued facets: one unnest per distinct set of rows (facets whose own filter is not
    # set share the rows that pass every filter).
    codes_by_rows: dict[str, list[str]] = {}
    for code, facet in TAG_FACETS.items():
        codes_by_rows.setdefault(passing(facet), []).append(code)
    for condition, codes in codes_by_rows.items():
        wanted = ", ".join(f"'{c}'" for c in codes)
        parts.append(
            "SELECT 'tag', t, count(*), NULL"
            " FROM m, unnest(string_to_array(m.facet_tags, ' ')) AS t"
            f" WHERE {condition} AND left(t, 1) IN ({wanted}) GROUP BY t"
        )
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        rows = cursor.fetchall()
    count, hits = _read_hits(rows)
    raw: dict[str, dict[str, int]] = {
        facet: {} for facet in ("kind", "status", "closing", "budget_band", "buyer")
    }
    raw.update({f: {} for f in TAG_FACETS.values()})
    raw["sme_suitable"] = {"true": 0}
    raw["first_timer_friendly"] = {"true": 0}
    buyers = []
    for kind, value, n, _position in rows:
        if kind in ("hit", "count") or value is None:
            continue
        if kind == "tag":
            raw[TAG_FACETS[value[0]]][value[1:]] = int(n)
        elif kind == "buyer":
            buyers.append((value, int(n)))
        elif kind != "budget_band" or value in BUDGET_BAND_VALUES:
            raw[kind][value] = int(n)
    raw["buyer"] = dict(sorted(buyers, key=lambda vn: (-vn[1], int(vn[0]))))
    return EngineResult(count=count, hits=hits, facets=raw)


def suggest(words: list[str], *, now: dt.datetime, limit: int) -> tuple[list[int], list[int]]:
    """Type-ahead on PostgreSQL in one statement over `search_fts` alone (it holds copies of
    the columns this orders and groups by, so no join with the documents): the ids of up to
    `limit * 2` opportunities whose title has a word starting with each typed word, open ones
    first, newest first; and the buyers of up to `limit` with the most opportunities whose
    buyer name does, with their counts."""
    prefix = " & ".join(f"'{w}':*" for w in words)
    live_open = f"{LIVE} AND (d.closes_at IS NULL OR d.closes_at > %(now)s)"
    sql = (
        "(SELECT 't', d.opportunity_id FROM search_fts d"
        " WHERE d.title_words @@ to_tsquery('simple', %(prefix)s)"
        f" ORDER BY ({live_open}) DESC, d.published_at DESC, d.opportunity_id DESC"
        " LIMIT %(titles)s)"
        " UNION ALL (SELECT 'b', d.buyer_id FROM search_fts d"
        " WHERE d.buyer_words @@ to_tsquery('simple', %(prefix)s)"
        " GROUP BY d.buyer_id ORDER BY count(*) DESC, d.buyer_id LIMIT %(buyers)s)"
    )
    params = {"prefix": prefix, "now": now, "titles": limit * 2, "buyers": limit}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return [int(v) for k, v in rows if k == "t"], [int(v) for k, v in rows if k == "b"]
