"""Questions and answers: suppliers ask until the question deadline, buyers answer publicly
without revealing who asked, the buyer sees what is still unanswered."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from marketplace.core.errors import ApplicationError, TransitionError
from tenders.models import OpportunityEvent
from tenders.services import questions as services
from tests.factories import BuyerFactory, CompanyFactory, member_of, published_opportunity

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 9, 1, 8, 0, tzinfo=dt.UTC)


@pytest.fixture
def buyer():
    return BuyerFactory(name="Waternet")


@pytest.fixture
def alice(buyer):
    return member_of(buyer, "admin")


@pytest.fixture
def company():
    return CompanyFactory(name="Rioolsensor B.V.")


@pytest.fixture
def founder(company):
    return member_of(company, "admin", email="joost@rioolsensor.example")


@pytest.fixture
def opportunity(reference_data, buyer, alice):
    # question deadline NOW + 20 days, deadline NOW + 30 days
    with time_machine.travel(NOW, tick=False):
        return published_opportunity(buyer=buyer, by=alice, kind="test_location")


def test_supplier_asks_until_the_question_deadline(opportunity, founder):
    with time_machine.travel(opportunity.question_deadline - dt.timedelta(seconds=1), tick=False):
        question = services.question_ask(opportunity=opportunity, by=founder, text="Is er 230V?")
    assert question.asked_by_company.name == "Rioolsensor B.V."
    with (
        time_machine.travel(opportunity.question_deadline, tick=False),
        pytest.raises(TransitionError, match="deadline for questions has passed"),
    ):
        services.question_ask(opportunity=opportunity, by=founder, text="Nog een?")


def test_without_a_question_deadline_the_deadline_counts(opportunity, founder, alice):
    from tenders.services.opportunities import opportunity_update

    with time_machine.travel(NOW, tick=False):
        opportunity_update(
            opportunity=opportunity, by=alice, data={"question_deadline": None}, reason="Langer"
        )
    with time_machine.travel(opportunity.closes_at - dt.timedelta(minutes=1), tick=False):
        services.question_ask(opportunity=opportunity, by=founder, text="Nog net?")
    with time_machine.travel(opportunity.closes_at, tick=False), pytest.raises(TransitionError):
        services.question_ask(opportunity=opportunity, by=founder, text="Te laat?")


def test_only_companies_ask_and_not_about_their_own_opportunity(opportunity, alice, buyer):
    with time_machine.travel(NOW, tick=False):
        with pytest.raises(PermissionDenied):
            services.question_ask(opportunity=opportunity, by=alice, text="Mag dit?")
        someone = member_of(BuyerFactory())
        with pytest.raises(PermissionDenied, match="Only companies"):
            services.question_ask(opportunity=opportunity, by=someone, text="Mag dit?")
        both = member_of(CompanyFactory())
        member_of_buyer = both
        from marketplace.core.models import Membership

        Membership.objects.create(user=member_of_buyer, organisation=buyer)
        with pytest.raises(PermissionDenied, match="own organisation"):
            services.question_ask(opportunity=opportunity, by=both, text="Mag dit?")


def test_empty_or_endless_questions_are_refused(opportunity, founder):
    with time_machine.travel(NOW, tick=False):
        with pytest.raises(ApplicationError) as exc:
            services.question_ask(opportunity=opportunity, by=founder, text="   ")
        assert "text" in exc.value.errors
        with pytest.raises(ApplicationError):
            services.question_ask(opportunity=opportunity, by=founder, text="x" * 3001)


def test_answer_is_public_says_nothing_about_the_asker_and_tells_followers(
    opportunity, founder, alice, api, client, django_capture_on_commit_callbacks, monkeypatch
):
    from tenders import hooks
    from tests import tenders as recorder

    monkeypatch.setattr(hooks, "OPPORTUNITY_RECEIVERS", ["tests.tenders.record"])
    monkeypatch.setattr(recorder, "calls", [])
    with time_machine.travel(NOW, tick=False):
        question = services.question_ask(
            opportunity=opportunity,
            by=founder,
            text="Wij van Rioolsensor B.V. willen weten: is er 230V in de put?",
        )
        with django_capture_on_commit_callbacks(execute=True):
            services.question_answer(
                question=question,
                by=alice,
                answer="Ja, 230V is er.",
                public_text="Is er 230V in de put?",
            )
    event = opportunity.events.get(type=OpportunityEvent.Type.ANSWER_PUBLISHED)
    assert event.payload == {"question": question.pk, "corrected": False}
    assert recorder.calls == [(opportunity.pk, "answer_published")]

    body = api.get(reverse("api-opportunity-questions", args=[opportunity.pk])).json()
    assert body["results"][0]["question"] == "Is er 230V in de put?"
    assert body["results"][0]["answer"] == "Ja, 230V is er."
    page = client.get(reverse("opportunity-detail", args=[opportunity.pk])).content.decode()
    assert "Is er 230V in de put?" in page and "Ja, 230V is er." in page
    for shown in (str(body), page):
        assert "Rioolsensor" not in shown and "joost" not in shown


def test_the_buyer_sees_the_unanswered_and_each_company_its_own(opportunity, founder, alice, api):
    other = member_of(CompanyFactory())
    with time_machine.travel(NOW, tick=False):
        mine = services.question_ask(opportunity=opportunity, by=founder, text="Van mij")
        theirs = services.question_ask(opportunity=opportunity, by=other, text="Van hen")
        answered = services.question_ask(opportunity=opportunity, by=other, text="Beantwoord")
        services.question_answer(question=answered, by=alice, answer="Antwoord")
    url = reverse("api-opportunity-questions", args=[opportunity.pk])

    def ids(user, **params):
        api.force_authenticate(user)
        return {q["id"] for q in api.get(url, params).json()["results"]}

    assert ids(alice) == {mine.pk, theirs.pk, answered.pk}
    assert ids(alice, answered="false") == {mine.pk, theirs.pk}
    assert ids(founder) == {mine.pk, answered.pk}
    assert ids(None) == {answered.pk}
    api.force_authenticate(founder)
    flags = {q["id"]: q["is_yours"] for q in api.get(url).json()["results"]}
    assert flags == {mine.pk: True, answered.pk: False}


def test_answers_can_be_corrected_but_not_once_cancelled(opportunity, founder, alice):
    from tenders.services.opportunities import opportunity_cancel

    with time_machine.travel(NOW, tick=False):
        question = services.question_ask(opportunity=opportunity, by=founder, text="Vraag")
        services.question_answer(question=question, by=alice, answer="Eerste")
        services.question_answer(question=question, by=alice, answer="Verbeterd")
        assert question.answer == "Verbeterd"
        assert [
            e.payload["corrected"] for e in opportunity.events.filter(type="answer_published")
        ] == [
            False,
            True,
        ]
        opportunity_cancel(opportunity=opportunity, by=alice, reason="Stop")
        with pytest.raises(TransitionError):
            services.question_answer(question=question, by=alice, answer="Nog eens")


def test_question_list_takes_a_fixed_number_of_queries(
    opportunity, founder, alice, api, django_assert_num_queries
):
    url = reverse("api-opportunity-questions", args=[opportunity.pk])

    def ask(n):
        with time_machine.travel(NOW, tick=False):
            for i in range(n):
                q = services.question_ask(opportunity=opportunity, by=founder, text=f"Vraag {i}")
                services.question_answer(question=q, by=alice, answer="Ja")

    ask(1)
    api.force_authenticate(founder)
    # buyer memberships (visibility, then membership of this buyer), opportunity, count, page,
    # the founder's companies (is_yours)
    with django_assert_num_queries(6):
        assert api.get(url).json()["count"] == 1
    ask(4)
    with django_assert_num_queries(6):
        assert api.get(url).json()["count"] == 5


def test_asking_from_the_page(opportunity, founder, client):
    client.force_login(founder)
    url = reverse("opportunity-question-ask", args=[opportunity.pk])
    with time_machine.travel(NOW, tick=False):
        response = client.post(url, {"text": ""})
        assert response.status_code == 400
        assert "This field is required." in response.content.decode()
        response = client.post(url, {"text": "Hoe diep is de put?"})
        assert response.status_code == 302
        page = client.get(reverse("opportunity-detail", args=[opportunity.pk])).content.decode()
        assert "Your questions waiting for an answer" in page and "Hoe diep is de put?" in page
    with time_machine.travel(opportunity.question_deadline, tick=False):
        response = client.post(url, {"text": "Te laat"})
        assert response.status_code == 409
        assert "deadline for questions has passed" in response.content.decode()
