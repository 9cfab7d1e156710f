"""Query counts of the list endpoints and pages stay the same however many applications
there are."""

from __future__ import annotations

import pytest
import time_machine
from django.urls import reverse

from tenders.services import applications as services
from tests.factories import CompanyFactory, member_of
from tests.tenders.application_setup import AFTER, NOW, people, submitted_tender, tender

pytestmark = pytest.mark.django_db


def bids(p, count: int):
    """`count` bids on one sealed tender by different companies (one by p.company), each
    scored by the evaluator, box opened, at AFTER."""
    opportunity = tender(p.buyer)
    with time_machine.travel(NOW, tick=False):
        applications = [submitted_tender(p, opportunity=opportunity)]
        for _i in range(count - 1):
            company = CompanyFactory()
            applications.append(
                submitted_tender(p, opportunity=opportunity, company=company, by=member_of(company))
            )
    with time_machine.travel(AFTER, tick=False):
        services.applications_open(opportunity=opportunity, by=p.evaluator)
        for application in applications:
            services.application_score(
                application=application,
                by=p.evaluator,
                scores={c.pk: {"score": 5} for c in opportunity.award_criteria.all()},
            )
    return opportunity


def own_applications(p, count: int):
    with time_machine.travel(NOW, tick=False):
        for _i in range(count):
            submitted_tender(p)


@pytest.mark.parametrize("count", [1, 4])
def test_own_applications_api(api, django_assert_num_queries, count):
    p = people()
    own_applications(p, count)
    api.force_authenticate(p.bob)
    with django_assert_num_queries(3):  # memberships, count, page
        response = api.get(reverse("api-applications"))
    assert response.json()["count"] == count


@pytest.mark.parametrize("count", [1, 4])
def test_company_dashboard(client, django_assert_num_queries, count):
    p = people()
    own_applications(p, count)
    client.force_login(p.bob)
    with django_assert_num_queries(5):  # session, user, memberships, list, has-company
        response = client.get(reverse("application-list"))
    assert response.status_code == 200


@pytest.mark.parametrize("count", [1, 4])
def test_received_applications_api(api, django_assert_num_queries, count):
    p = people()
    opportunity = bids(p, count)
    api.force_authenticate(p.evaluator)
    with time_machine.travel(AFTER, tick=False), django_assert_num_queries(9):
        response = api.get(reverse("api-opportunity-applications", args=[opportunity.pk]))
    assert response.json()["count"] == count
    assert len(response.json()["results"]) == count


@pytest.mark.parametrize("count", [1, 4])
def test_evaluation_page(client, django_assert_num_queries, count):
    p = people()
    opportunity = bids(p, count)
    client.force_login(p.evaluator)
    with time_machine.travel(AFTER, tick=False), django_assert_num_queries(13):
        response = client.get(reverse("application-evaluation", args=[opportunity.pk]))
    assert response.status_code == 200


@pytest.mark.parametrize("count", [1, 4])
def test_csv_export(client, django_assert_num_queries, count):
    p = people()
    opportunity = bids(p, count)
    client.force_login(p.evaluator)
    with time_machine.travel(AFTER, tick=False), django_assert_num_queries(10):
        response = client.get(reverse("application-export", args=[opportunity.pk]))
    assert response.content.decode("utf-8-sig").count("\n") == count + 1
