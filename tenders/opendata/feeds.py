"""Atom and RSS feeds of newly published opportunities, for everything or for any filter URL
(/feeds/opportunities.atom?kind=tender&region=NL32 takes the filters of the opportunity API)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import HttpResponseBadRequest
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.translation import gettext as _

from tenders import selectors
from tenders.filters import OpportunityFilter
from tenders.models import Opportunity

FEED_SIZE = 50


def filtered_public(params) -> tuple[OpportunityFilter, bool]:
    """The opportunity API's filters over everything public; (filterset, valid)."""
    filterset = OpportunityFilter(params, queryset=selectors.opportunity_list_public())
    return filterset, filterset.is_valid()


class OpportunityRssFeed(Feed):
    feed_type = Rss201rev2Feed

    def get_object(self, request, *args, **kwargs):
        return self.filterset

    def title(self, obj) -> str:
        described = ", ".join(f"{k}={v}" for k, v in sorted(self.params.items()) if v)
        base = _("New opportunities on %(site)s") % {"site": settings.SITE_NAME}
        return f"{base} ({described})" if described else base

    def link(self, obj) -> str:
        return f"{settings.SITE_URL}{reverse('home')}"

    def description(self, obj) -> str:
        return _("Tenders, funding calls, co-creation calls and test locations, newest first.")

    def feed_url(self, obj) -> str:
        query = self.params.urlencode()
        return f"{settings.SITE_URL}{self.request_path}" + (f"?{query}" if query else "")

    def items(self, obj):
        return obj.qs.select_related("buyer").order_by("-published_at", "-pk")[:FEED_SIZE]

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
        self.request_path = request.path
        self.params = request.GET.copy()
        self.filterset, valid = filtered_public(request.GET)
        if not valid:
            return HttpResponseBadRequest(
                _("Unknown filter value: %(errors)s") % {"errors": dict(self.filterset.errors)},
                content_type="text/plain; charset=utf-8",
            )
        return super().__call__(request, *args, **kwargs)


class OpportunityAtomFeed(OpportunityRssFeed):
    feed_type = Atom1Feed

    def subtitle(self, obj) -> str:
        return self.description(obj)
