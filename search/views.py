"""The search page: a plain GET form (works without JavaScript; search.js updates the results
in place and keeps the URL shareable)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.shortcuts import render
from django.utils.translation import gettext as _

from marketplace.core.errors import ApplicationError
from search.query import OpportunityQuery
from search.selectors import opportunity_search

FACET_TITLES = {
    "kind": _("Kind"),
    "status": _("Status"),
    "closing": _("Deadline"),
    "competency": _("Competency"),
    "region": _("Region"),
    "cpv": _("What is bought (CPV)"),
    "buyer": _("Buyer"),
    "budget_band": _("Budget"),
    "sme_suitable": _("For small companies"),
    "first_timer_friendly": _("For first-timers"),
}
FACET_ORDER = list(FACET_TITLES)


def _url(query: OpportunityQuery, **changes) -> str:
    params = query.replace(**changes).to_params()
    return "?" + urlencode(params) if params else "?"


def search_page(request):
    errors: dict[str, list[str]] = {}
    try:
        query = OpportunityQuery.from_params(request.GET)
    except ApplicationError as exc:
        errors = exc.errors
        query = OpportunityQuery(q=str(request.GET.get("q", ""))[:200])
    page = opportunity_search(user=request.user, query=query)
    facets = [
        {
            "name": name,
            "title": FACET_TITLES[name],
            "buckets": page.facets.get(name, []),
        }
        for name in FACET_ORDER
        if page.facets.get(name)
    ]
    first = max(1, query.page - 3)
    pages = [
        {"number": n, "url": _url(query, page=n), "current": n == query.page}
        for n in range(first, min(page.num_pages, first + 6) + 1)
    ]
    context = {
        "query": query,
        "page": page,
        "facets": facets,
        "errors": errors,
        "pages": pages,
        "previous_url": _url(query, page=query.page - 1) if page.has_previous else "",
        "next_url": _url(query, page=query.page + 1) if page.has_next else "",
        "clear_filters_url": _url(OpportunityQuery(q=query.q)),
        "sorts": [
            ("relevance", _("Best match")),
            ("closing", _("Deadline first")),
            ("newest", _("Newest")),
        ],
        "start": (query.page - 1) * query.page_size + 1,
    }
    template = "search/_results.html" if getattr(request, "htmx", False) else "search/search.html"
    return render(request, template, context)
