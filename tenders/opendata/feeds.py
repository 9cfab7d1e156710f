"""Atom and RSS feeds of newly published opportunities, for everything or for any search URL:
/feeds/opportunities.atom takes the same parameters as the search page and the API
(q, kind, region, cpv, competency, closing ...), newest first."""

from __future__ import annotations

import dataclasses

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import HttpResponseBadRequest
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.translation import gettext as _

from marketplace.core.errors import ApplicationError
from tenders.models import Opportunity

FEED_SIZE = 50


@dataclasses.dataclass(frozen=True)
class FeedRequest:
    """What one request asked for (kept off the Feed instance, which all requests share)."""

    params: object
    path: str
    items: list


def filtered_public(params):
    """The opportunity API's filters over everything public; (filterset, valid). Used by the
    CSV export of /opportunities.csv."""
    from tenders import selectors
    from tenders.filters import OpportunityFilter

    filterset = OpportunityFilter(params, queryset=selectors.opportunity_list_public())
    return filterset, filterset.is_valid()


def _query(params):
    from search.query import OpportunityQuery

    query = OpportunityQuery.from_params(params)
    return dataclasses.replace(query, sort="newest", page=1, page_size=FEED_SIZE)


class OpportunityRssFeed(Feed):
    feed_type = Rss201rev2Feed

    def get_object(self, request, *args, **kwargs):
        from search.selectors import opportunity_search

        page = opportunity_search(user=None, query=_query(request.GET))
        return FeedRequest(params=request.GET.copy(), path=request.path, items=list(page.results))

    def title(self, obj) -> str:
        described = ", ".join(f"{k}={v}" for k, v in sorted(obj.params.items()) if v)
        base = _("New opportunities on %(site)s") % {"site": settings.SITE_NAME}
        return f"{base} ({described})" if described else base

    def link(self, obj) -> str:
        query = obj.params.urlencode()
        return f"{settings.SITE_URL}{reverse('search')}" + (f"?{query}" if query else "")

    def description(self, obj) -> str:
        return _("Tenders, funding calls, co-creation calls and test locations, newest first.")

    def feed_url(self, obj) -> str:
        query = obj.params.urlencode()
        return f"{settings.SITE_URL}{obj.path}" + (f"?{query}" if query else "")

    def items(self, obj):
        return obj.items

    def item_title(self, item: Opportunity) -> str:
        return item.title

    def item_description(self, item: Opportunity) -> str:
        parts = [item.summary or item.description[:500]]
        if item.closes_at:
            parts.append(
                _("Deadline: %(date)s") % {"date": item.closes_at.strftime("%Y-%m-%d %H:%M %Z")}
            )
        return "\n\n".join(p for p in parts if p)

    def item_link(self, item: Opportunity) -> str:
        return f"{settings.SITE_URL}{item.get_absolute_url()}"

    def item_guid(self, item: Opportunity) -> str:
        return f"{settings.SITE_URL}{item.get_absolute_url()}"

    item_guid_is_permalink = True

    def item_pubdate(self, item: Opportunity):
        return item.published_at

    def item_updateddate(self, item: Opportunity):
        return item.updated_at

    def item_author_name(self, item: Opportunity) -> str:
        return item.buyer.name

    def item_categories(self, item: Opportunity):
        return [item.kind]

    def __call__(self, request, *args, **kwargs):
        try:
            _query(request.GET)
        except ApplicationError as exc:
            return HttpResponseBadRequest(
                _("Unknown search parameter: %(errors)s") % {"errors": exc.errors},
                content_type="text/plain; charset=utf-8",
            )
        return super().__call__(request, *args, **kwargs)


class OpportunityAtomFeed(OpportunityRssFeed):
    feed_type = Atom1Feed

    def subtitle(self, obj) -> str:
        return self.description(obj)
