"""Public and buyer pages for opportunities (the opportunities issue completes these)."""

from __future__ import annotations

from django.shortcuts import render

from tenders import selectors


def opportunity_detail(request, pk: int):
    opportunity = selectors.opportunity_get_visible(user=request.user, pk=pk)
    return render(request, "tenders/opportunity_detail.html", {"opportunity": opportunity})
