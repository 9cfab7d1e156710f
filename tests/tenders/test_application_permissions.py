"""The permission matrix: every application endpoint (API and pages) for a member of the
applying company, a member of another company, a member of the owning buyer, a member of
another buyer, and an anonymous visitor. Allowed and denied cases share the same set-up, so a
denial cannot pass for the wrong reason."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
import time_machine
from django.urls import reverse

from tenders.models import ApplicationQuestion
from tenders.services import applications as services
from tests.factories import RequiredDocumentFactory
from tests.tenders.application_setup import (
    AFTER,
    NOW,
    co_creation,
    co_creation_answers,
    pdf,
    people,
    submitted_tender,
)

pytestmark = pytest.mark.django_db


@dataclass
class World:
    p: Any
    sub: Any  # a submitted co-creation proposal (not sealed), with a file
    draft: Any  # a draft on another co-creation call, with a file
    fresh: Any  # an open co-creation call nobody applied to
    question: Any  # a question on the draft's call
    bid: Any  # a submitted bid on a sealed tender; the box is opened after the deadline


def build() -> World:
    p = people()
    with time_machine.travel(NOW, tick=False):
        first = co_creation(p.buyer)
        doc = RequiredDocumentFactory(opportunity=first, name="CV", is_required=False)
        sub = services.application_create(
            opportunity=first, company=p.company, by=p.alice, data=co_creation_answers()
        )
        services.application_file_add(
            application=sub, by=p.alice, slot=f"document:{doc.pk}", upload=pdf()
        )
        services.application_submit(application=sub, by=p.alice)
        second = co_creation(p.buyer)
        doc2 = RequiredDocumentFactory(opportunity=second, name="CV", is_required=False)
        question = ApplicationQuestion.objects.create(
            opportunity=second, text="Q", type="text", is_required=False
        )
        draft = services.application_create(
            opportunity=second, company=p.company, by=p.alice, data=co_creation_answers()
        )
        services.application_file_add(
            application=draft, by=p.alice, slot=f"document:{doc2.pk}", upload=pdf()
        )
        bid = submitted_tender(p)
    with time_machine.travel(AFTER, tick=False):
        services.applications_open(opportunity=bid.opportunity, by=p.buyer_admin)
    sub.refresh_from_db()
    draft.refresh_from_db()
    return World(p=p, sub=sub, draft=draft, fresh=co_creation(p.buyer), question=question, bid=bid)


def file_of(application) -> int:
    return next(iter(application.draft["files"].values()))


def slot_of(application) -> str:
    return next(iter(application.draft["files"]))


@dataclass
class Case:
    name: str
    side: str  # company | buyer | admin
    kind: str  # api | page
    method: str
    url: Callable[[World], str]
    ok: int
    data: Callable[[World], dict] | None = None
    prepare: Callable[[World], None] | None = None
    fmt: str = "json"
    before_deadline: bool = False  # buyer cases run after the deadline unless this is set


def bid_url(name, *extra):
    return lambda w: reverse(name, args=[w.bid.opportunity.pk, w.bid.pk, *extra])


def award_ready(w: World) -> None:
    with time_machine.travel(AFTER, tick=False):
        services.application_decide(application=w.bid, by=w.p.evaluator, decision="award")


CASES = [
    # The company's API
    Case(
        "api detail",
        "company",
        "api",
        "get",
        lambda w: reverse("api-application-detail", args=[w.sub.pk]),
        200,
    ),
    Case(
        "api change",
        "company",
        "api",
        "patch",
        lambda w: reverse("api-application-detail", args=[w.sub.pk]),
        200,
        data=lambda w: {"content": {"team": "Four people."}},
    ),
    Case(
        "api delete draft",
        "company",
        "api",
        "delete",
        lambda w: reverse("api-application-detail", args=[w.draft.pk]),
        204,
    ),
    Case(
        "api submit",
        "company",
        "api",
        "post",
        lambda w: reverse("api-application-submit", args=[w.draft.pk]),
        200,
    ),
    Case(
        "api withdraw",
        "company",
        "api",
        "post",
        lambda w: reverse("api-application-withdraw", args=[w.sub.pk]),
        200,
    ),
    Case(
        "api upload",
        "company",
        "api",
        "post",
        lambda w: reverse("api-application-files", args=[w.draft.pk]),
        201,
        data=lambda w: {"slot": slot_of(w.draft), "file": pdf()},
        fmt="multipart",
    ),
    Case(
        "api download",
        "company",
        "api",
        "get",
        lambda w: reverse("api-application-file", args=[w.sub.pk, file_of(w.sub)]),
        200,
    ),
    Case(
        "api remove file",
        "company",
        "api",
        "delete",
        lambda w: reverse("api-application-file", args=[w.draft.pk, file_of(w.draft)]),
        204,
    ),
    Case(
        "api version",
        "company",
        "api",
        "get",
        lambda w: reverse("api-application-version", args=[w.sub.pk, 1]),
        200,
    ),
    Case(
        "api log",
        "company",
        "api",
        "get",
        lambda w: reverse("api-application-events", args=[w.sub.pk]),
        200,
    ),
    # The company's pages
    Case(
        "page application",
        "company",
        "page",
        "get",
        lambda w: reverse("application-detail", args=[w.sub.pk]),
        200,
    ),
    Case(
        "page save",
        "company",
        "page",
        "post",
        lambda w: reverse("application-detail", args=[w.draft.pk]),
        302,
        data=lambda w: {**co_creation_answers(), "action": "save"},
    ),
    Case(
        "page withdraw",
        "company",
        "page",
        "post",
        lambda w: reverse("application-withdraw", args=[w.sub.pk]),
        302,
    ),
    Case(
        "page delete",
        "company",
        "page",
        "post",
        lambda w: reverse("application-delete", args=[w.draft.pk]),
        302,
    ),
    Case(
        "page file",
        "company",
        "page",
        "get",
        lambda w: reverse("application-file", args=[w.sub.pk, file_of(w.sub)]),
        200,
    ),
    Case(
        "page receipt",
        "company",
        "page",
        "get",
        lambda w: reverse("application-receipt", args=[w.sub.pk, 1]),
        200,
    ),
    Case(
        "page receipt text",
        "company",
        "page",
        "get",
        lambda w: reverse("application-receipt-text", args=[w.sub.pk, 1]),
        200,
    ),
    Case(
        "page content json",
        "company",
        "page",
        "get",
        lambda w: reverse("application-version-json", args=[w.sub.pk, 1]),
        200,
    ),
    # The buyer's API
    Case(
        "api received",
        "buyer",
        "api",
        "get",
        lambda w: reverse("api-opportunity-applications", args=[w.bid.opportunity.pk]),
        200,
    ),
    Case(
        "api open",
        "buyer",
        "api",
        "post",
        lambda w: reverse("api-opportunity-applications-open", args=[w.bid.opportunity.pk]),
        200,
    ),
    Case(
        "api received detail",
        "buyer",
        "api",
        "get",
        bid_url("api-opportunity-application-detail"),
        200,
    ),
    Case(
        "api received file",
        "buyer",
        "api",
        "get",
        lambda w: reverse(
            "api-opportunity-application-file",
            args=[w.bid.opportunity.pk, w.bid.pk, file_of(w.bid)],
        ),
        200,
    ),
    Case(
        "api score",
        "buyer",
        "api",
        "post",
        bid_url("api-opportunity-application-scores"),
        200,
        data=lambda w: {"scores": {str(w.bid.opportunity.award_criteria.first().pk): {"score": 7}}},
    ),
    Case(
        "api shortlist",
        "buyer",
        "api",
        "post",
        bid_url("api-opportunity-application-shortlist"),
        200,
    ),
    Case(
        "api reject",
        "buyer",
        "api",
        "post",
        bid_url("api-opportunity-application-reject"),
        200,
        data=lambda w: {"feedback": "Sorry."},
    ),
    Case("api award", "buyer", "api", "post", bid_url("api-opportunity-application-award"), 200),
    Case(
        "api feedback",
        "buyer",
        "api",
        "post",
        bid_url("api-opportunity-application-feedback"),
        200,
        data=lambda w: {"feedback": "Well done."},
    ),
    Case(
        "api publish award",
        "buyer",
        "api",
        "post",
        lambda w: reverse("api-opportunity-applications-award", args=[w.bid.opportunity.pk]),
        200,
        prepare=award_ready,
    ),
    Case(
        "api add question",
        "buyer",
        "api",
        "post",
        lambda w: reverse("api-opportunity-application-questions", args=[w.fresh.pk]),
        201,
        data=lambda w: {"text": "Why?", "type": "text"},
        before_deadline=True,
    ),
    Case(
        "api change question",
        "buyer",
        "api",
        "patch",
        lambda w: reverse(
            "api-opportunity-application-question", args=[w.question.opportunity_id, w.question.pk]
        ),
        200,
        data=lambda w: {"text": "Why not?"},
        before_deadline=True,
    ),
    Case(
        "api delete question",
        "buyer",
        "api",
        "delete",
        lambda w: reverse(
            "api-opportunity-application-question", args=[w.question.opportunity_id, w.question.pk]
        ),
        204,
        before_deadline=True,
    ),
    Case(
        "api buyer log",
        "admin",
        "api",
        "get",
        lambda w: reverse("api-opportunity-applications-events", args=[w.bid.opportunity.pk]),
        200,
    ),
    # The buyer's pages
    Case(
        "page evaluation",
        "buyer",
        "page",
        "get",
        lambda w: reverse("application-evaluation", args=[w.bid.opportunity.pk]),
        200,
    ),
    Case(
        "page open",
        "buyer",
        "page",
        "post",
        lambda w: reverse("application-box-open", args=[w.bid.opportunity.pk]),
        302,
    ),
    Case("page evaluate", "buyer", "page", "get", bid_url("application-evaluate"), 200),
    Case(
        "page decide",
        "buyer",
        "page",
        "post",
        bid_url("application-evaluate"),
        302,
        data=lambda w: {"action": "shortlist", "feedback": ""},
    ),
    Case(
        "page evaluate file",
        "buyer",
        "page",
        "get",
        lambda w: reverse(
            "application-evaluate-file", args=[w.bid.opportunity.pk, w.bid.pk, file_of(w.bid)]
        ),
        200,
    ),
    Case(
        "page export",
        "buyer",
        "page",
        "get",
        lambda w: reverse("application-export", args=[w.bid.opportunity.pk]),
        200,
    ),
    Case(
        "page publish award",
        "buyer",
        "page",
        "post",
        lambda w: reverse("application-award-publish", args=[w.bid.opportunity.pk]),
        302,
        prepare=award_ready,
    ),
    Case(
        "page questions",
        "buyer",
        "page",
        "get",
        lambda w: reverse("application-questions", args=[w.fresh.pk]),
        200,
        before_deadline=True,
    ),
    Case(
        "page buyer log",
        "admin",
        "page",
        "get",
        lambda w: reverse("application-log", args=[w.bid.opportunity.pk]),
        200,
    ),
]

ACTORS = [
    "company member",
    "other company",
    "owning buyer member",
    "owning buyer admin",
    "other buyer",
    "anonymous",
]


def user_for(w: World, actor: str):
    return {
        "company member": w.p.bob,
        "other company": w.p.charlie,
        "owning buyer member": w.p.evaluator,
        "owning buyer admin": w.p.buyer_admin,
        "other buyer": w.p.other_buyer_member,
        "anonymous": None,
    }[actor]


def expected(case: Case, actor: str) -> int:
    if actor == "anonymous":
        return 401 if case.kind == "api" else 302
    allowed = {
        "company": {"company member"},
        "buyer": {"owning buyer member", "owning buyer admin"},
        "admin": {"owning buyer admin"},
    }[case.side]
    if actor in allowed:
        return case.ok
    if case.side == "admin" and actor == "owning buyer member":
        return 403
    return 404


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_permission_matrix(case, actor, client, api):
    w = build()
    if case.prepare:
        case.prepare(w)
    user = user_for(w, actor)
    url = case.url(w)
    data = case.data(w) if case.data else None
    moment = NOW if case.side == "company" or case.before_deadline else AFTER
    with time_machine.travel(moment, tick=False):
        if case.kind == "api":
            if user is not None:
                api.force_authenticate(user)
            kwargs = {"format": case.fmt} if data is not None else {}
            response = (
                getattr(api, case.method)(url, data, **kwargs)
                if data is not None
                else getattr(api, case.method)(url)
            )
        else:
            if user is not None:
                client.force_login(user)
            response = getattr(client, case.method)(url, data or {})
    want = expected(case, actor)
    assert response.status_code == want, (case.name, actor, getattr(response, "content", b"")[:300])
    if want == 302 and actor == "anonymous":
        assert "/accounts/login/" in response.url


@pytest.mark.parametrize("actor", ACTORS)
def test_own_list_shows_only_the_companys_applications(actor, api):
    w = build()
    user = user_for(w, actor)
    if user is not None:
        api.force_authenticate(user)
    with time_machine.travel(NOW, tick=False):
        response = api.get(reverse("api-applications"))
    if actor == "anonymous":
        assert response.status_code == 401
        return
    assert response.status_code == 200
    ids = {row["id"] for row in response.json()["results"]}
    assert ids == ({w.sub.pk, w.draft.pk, w.bid.pk} if actor == "company member" else set())


@pytest.mark.parametrize(
    ("actor", "status"),
    [
        ("company member", 201),
        ("other company", 201),  # another company may apply too
        ("owning buyer member", 403),
        ("other buyer", 403),
        ("anonymous", 401),
    ],
)
def test_who_can_start_an_application(actor, status, api):
    w = build()
    user = user_for(w, actor)
    if user is not None:
        api.force_authenticate(user)
    with time_machine.travel(NOW, tick=False):
        response = api.post(reverse("api-applications"), {"opportunity": w.fresh.pk}, format="json")
    assert response.status_code == status, response.json()


def test_a_draft_opportunity_of_another_buyer_cannot_be_applied_to(api):
    w = build()
    hidden = co_creation(w.p.other_buyer, published_at=None)
    api.force_authenticate(w.p.bob)
    with time_machine.travel(NOW, tick=False):
        response = api.post(reverse("api-applications"), {"opportunity": hidden.pk}, format="json")
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("actor", "status"),
    [
        ("company member", 200),
        ("other company", 200),
        ("owning buyer member", 200),
        ("other buyer", 200),
        ("anonymous", 401),
    ],
)
def test_questions_of_a_public_opportunity_can_be_read_by_anyone_signed_in(actor, status, api):
    w = build()
    user = user_for(w, actor)
    if user is not None:
        api.force_authenticate(user)
    response = api.get(
        reverse("api-opportunity-application-questions", args=[w.question.opportunity_id])
    )
    assert response.status_code == status
    if status == 200:
        assert [q["text"] for q in response.json()] == ["Q"]
