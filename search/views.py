"""The search page: a plain GET form (works without JavaScript; search.js updates the results
in place and keeps the URL shareable)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from marketplace.core.errors import ApplicationError
from search.query import OpportunityQuery
from search.selectors import opportunity_search

# Lazy: the titles are read per request, in the visitor's language.
FACET_TITLES = {
    "kind": gettext_lazy("Kind"),
    "status": gettext_lazy("Status"),
    "closing": gettext_lazy("Deadline"),
    "competency": gettext_lazy("Competency"),
    "region": gettext_lazy("Region"),
    "cpv": gettext_lazy("What is bought (CPV)"),
    "buyer": gettext_lazy("Buyer"),
    "budget_band": gettext_lazy("Budget"),
    "sme_suitable": gettext_lazy("For small companies"),
    "first_timer_friendly": gettext_lazy("For first-timers"),
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
        "save_url": reverse("saved-search-create") + "?" + _querystring(query),
        "csv_url": reverse("search-export-csv") + "?" + _querystring(query),
    }
    htmx = getattr(request, "htmx", None)
    partial = bool(htmx) and not htmx.history_restore_request
    # htmx (ticking a filter, changing the sort) swaps in the facets and results together.
    response = render(request, "search/_layout.html" if partial else "search/search.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _querystring(query: OpportunityQuery) -> str:
    return urlencode([(k, v) for k, v in query.to_params() if k not in ("page", "page_size")])


EXPORT_LIMIT = 2000


def search_export_csv(request):
    """The results of any search as a CSV file (at most 2,000 rows, best match first)."""
    import dataclasses

    from django.db.models import Case, IntegerField, When
    from django.http import HttpResponseBadRequest

    from tenders.models import Opportunity
    from tenders.opendata.exports import opportunities_csv_response

    try:
        query = OpportunityQuery.from_params(request.GET)
    except ApplicationError as exc:
        return HttpResponseBadRequest(exc.message, content_type="text/plain; charset=utf-8")
    ids: list[int] = []
    page_number = 1
    while len(ids) < EXPORT_LIMIT:
        page = opportunity_search(
            user=request.user, query=dataclasses.replace(query, page=page_number, page_size=100)
        )
        ids += [o.pk for o in page.results]
        if not page.has_next:
            break
        page_number += 1
    order = Case(*[When(pk=pk, then=n) for n, pk in enumerate(ids)], output_field=IntegerField())
    qs = (
        Opportunity.objects.filter(pk__in=ids).order_by(order)
        if ids
        else Opportunity.objects.none()
    )
    return opportunities_csv_response(qs, filename="kansen-search.csv")
