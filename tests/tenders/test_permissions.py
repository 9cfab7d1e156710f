"""One permission matrix over every endpoint and page of opportunities (pretix style): the same
setup for every role, so a denial cannot pass for the wrong reason.

Roles: alice (admin of the owning buyer organisation), bob (member of it), charlie (member of
another buyer organisation), fatima (member of a company, a supplier), anonymous.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tenders.models import Opportunity
from tenders.services import documents as document_services
from tenders.services import opportunities as services
from tenders.services import questions as question_services
from tests.factories import BuyerFactory, CompanyFactory, member_of, opportunity_data

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 4, 1, 10, 0, tzinfo=dt.UTC)
AFTER_DEADLINE = NOW + dt.timedelta(days=31)
PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
ROLES = ["alice", "bob", "charlie", "fatima", "anonymous"]


@dataclass
class World:
    opportunity: Opportunity
    document_id: int
    question_id: int | None
    users: dict = field(default_factory=dict)


@pytest.fixture
def world_for(reference_data, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path

    def build(state: str) -> World:
        buyer = BuyerFactory(name="Gemeente Amsterdam")
        alice = member_of(buyer, "admin")
        users = {
            "alice": alice,
            "bob": member_of(buyer, "member"),
            "charlie": member_of(BuyerFactory(name="Provincie"), "admin"),
            "fatima": member_of(CompanyFactory(), "admin"),
            "anonymous": None,
        }
        with time_machine.travel(NOW, tick=False):
            opportunity = services.opportunity_create(
                buyer=buyer, by=alice, kind="tender", data=opportunity_data("tender", now=NOW)
            )
            document = document_services.document_add(
                opportunity=opportunity, by=alice, upload=SimpleUploadedFile("a.pdf", PDF)
            )
            question_id = None
            if state != "draft":
                services.opportunity_publish(opportunity=opportunity, by=alice)
                question_id = question_services.question_ask(
                    opportunity=opportunity, by=users["fatima"], text="Vraag?"
                ).pk
        return World(opportunity, document.pk, question_id, users)

    return build


@dataclass(frozen=True)
class Call:
    name: str
    method: str
    url_name: str
    state: str  # draft, published or closed (then the clock is after the deadline)
    expected: dict  # role -> status code
    data: dict | Callable[[World], dict] | None = None
    args: str = "pk"  # pk, pk+document, pk+question, none
    multipart: bool = False


def api_call(name, method, url_name, state, owner, others, anonymous=401, **kw) -> Call:
    expected = {"alice": owner, "bob": owner, "charlie": others, "fatima": others}
    expected["anonymous"] = anonymous
    return Call(name, method, url_name, state, expected, **kw)


def public_read(name, url_name, **kw) -> list[Call]:
    """A read everyone may do on a published opportunity, only the buyer on a draft."""
    return [
        api_call(f"{name} (draft)", "get", url_name, "draft", 200, 404, anonymous=404, **kw),
        api_call(
            f"{name} (published)", "get", url_name, "published", 200, 200, anonymous=200, **kw
        ),
    ]


API = [
    *public_read("opportunity detail", "api-opportunity-detail"),
    *public_read("document list", "api-opportunity-documents"),
    *public_read("document detail", "api-opportunity-document-detail", args="pk+document"),
    *public_read("document download", "api-opportunity-document-download", args="pk+document"),
    api_call("question list (draft)", "get", "api-opportunity-questions", "draft", 200, 404, 404),
    api_call("question list", "get", "api-opportunity-questions", "published", 200, 200, 200),
    api_call("change", "patch", "api-opportunity-detail", "draft", 200, 404, data={"summary": "x"}),
    api_call("delete draft", "delete", "api-opportunity-detail", "draft", 204, 404),
    api_call("missing fields", "get", "api-opportunity-missing", "draft", 200, 404),
    api_call("publish", "post", "api-opportunity-publish", "draft", 200, 404),
    api_call("withdraw", "post", "api-opportunity-withdraw", "published", 200, 404),
    api_call("close early", "post", "api-opportunity-close", "published", 200, 404),
    api_call(
        "award", "post", "api-opportunity-award", "closed", 200, 404, data={"not_awarded": True}
    ),
    api_call(
        "cancel", "post", "api-opportunity-cancel", "published", 200, 404, data={"reason": "x"}
    ),
    api_call(
        "upload document",
        "post",
        "api-opportunity-documents",
        "published",
        201,
        404,
        data={"title": "Nota"},
        multipart=True,
    ),
    api_call(
        "replace document",
        "post",
        "api-opportunity-document-replace",
        "published",
        201,
        404,
        data={"note": "Nieuw"},
        multipart=True,
        args="pk+document",
    ),
    api_call(
        "delete document",
        "delete",
        "api-opportunity-document-detail",
        "draft",
        204,
        404,
        args="pk+document",
    ),
    api_call(
        "answer question",
        "post",
        "api-opportunity-question-answer",
        "published",
        200,
        404,
        data={"answer": "Ja"},
        args="pk+question",
    ),
    Call(
        "ask question",
        "post",
        "api-opportunity-questions",
        "published",
        {"alice": 403, "bob": 403, "charlie": 403, "fatima": 201, "anonymous": 401},
        data={"text": "Mag het?"},
    ),
    Call(
        "ask about a draft",
        "post",
        "api-opportunity-questions",
        "draft",
        {"alice": 403, "bob": 403, "charlie": 404, "fatima": 404, "anonymous": 401},
        data={"text": "Mag het?"},
    ),
]

LOGIN = 302  # anonymous visitors of the buyer's pages are sent to sign in
PAGES = [
    Call(
        "public page (draft)",
        "get",
        "opportunity-detail",
        "draft",
        {"alice": 200, "bob": 200, "charlie": 404, "fatima": 404, "anonymous": 404},
    ),
    Call("public page", "get", "opportunity-detail", "published", dict.fromkeys(ROLES, 200)),
    Call(
        "download (draft)",
        "get",
        "opportunity-document-download",
        "draft",
        {"alice": 200, "bob": 200, "charlie": 404, "fatima": 404, "anonymous": 404},
        args="pk+document",
    ),
    Call(
        "download",
        "get",
        "opportunity-document-download",
        "published",
        dict.fromkeys(ROLES, 200),
        args="pk+document",
    ),
    Call(
        "ask on the page",
        "post",
        "opportunity-question-ask",
        "published",
        {"alice": 403, "bob": 403, "charlie": 403, "fatima": 302, "anonymous": 302},
        data={"text": "Mag het?"},
    ),
    api_call("manage", "get", "opportunity-manage", "published", 200, 404, LOGIN),
    api_call("edit form", "get", "opportunity-edit", "draft", 200, 404, LOGIN),
    api_call("preview", "get", "opportunity-preview", "draft", 200, 404, LOGIN),
    api_call("publish", "post", "opportunity-publish", "draft", 302, 404, LOGIN),
    api_call("withdraw", "post", "opportunity-withdraw", "published", 302, 404, LOGIN),
    api_call("close early", "post", "opportunity-close", "published", 302, 404, LOGIN),
    api_call("award form", "get", "opportunity-award", "closed", 200, 404, LOGIN),
    api_call(
        "award",
        "post",
        "opportunity-award",
        "closed",
        302,
        404,
        LOGIN,
        data={"outcome": "not_awarded"},
    ),
    api_call("cancel form", "get", "opportunity-cancel", "published", 200, 404, LOGIN),
    api_call(
        "cancel",
        "post",
        "opportunity-cancel",
        "published",
        302,
        404,
        LOGIN,
        data={"reason": "Geen budget"},
    ),
    api_call("delete draft", "post", "opportunity-delete", "draft", 302, 404, LOGIN),
    api_call(
        "upload",
        "post",
        "opportunity-document-upload",
        "published",
        302,
        404,
        LOGIN,
        data={"title": "Nota"},
        multipart=True,
    ),
    api_call(
        "replace",
        "post",
        "opportunity-document-replace",
        "published",
        302,
        404,
        LOGIN,
        data=lambda w: {f"replace-{w.document_id}-note": "Nieuw"},
        multipart=True,
        args="pk+document",
    ),
    api_call(
        "delete document",
        "post",
        "opportunity-document-delete",
        "draft",
        302,
        404,
        LOGIN,
        args="pk+document",
    ),
    api_call(
        "answer",
        "post",
        "opportunity-question-answer",
        "published",
        302,
        404,
        LOGIN,
        data=lambda w: {f"answer-{w.question_id}-answer": "Ja"},
        args="pk+question",
    ),
]


def url_for(call: Call, world: World) -> str:
    pk = world.opportunity.pk
    args = {
        "pk": [pk],
        "pk+document": [pk, world.document_id],
        "pk+question": [pk, world.question_id],
    }[call.args]
    return reverse(call.url_name, args=args)


def perform(client, call: Call, world: World, role: str):
    user = world.users[role]
    if user is not None:
        if hasattr(client, "force_authenticate"):
            client.force_authenticate(user)
        else:
            client.force_login(user)
    data = call.data(world) if callable(call.data) else dict(call.data or {})
    if call.multipart:
        key = f"replace-{world.document_id}-file" if "replace" in call.url_name else "file"
        data[key] = SimpleUploadedFile("nota.pdf", PDF)
        if hasattr(client, "force_authenticate"):
            data["file"] = data.pop(key)
    when = AFTER_DEADLINE if call.state == "closed" else NOW + dt.timedelta(hours=1)
    with time_machine.travel(when, tick=False):
        method = getattr(client, call.method)
        if call.method == "get":
            return method(url_for(call, world))
        if hasattr(client, "force_authenticate"):
            fmt = "multipart" if call.multipart else "json"
            return method(url_for(call, world), data, format=fmt)
        return method(url_for(call, world), data)


def cases(calls):
    return [pytest.param(call, role, id=f"{call.name}-{role}") for call in calls for role in ROLES]


@pytest.mark.parametrize(("call", "role"), cases(API))
def test_api_permission_matrix(world_for, api, call, role):
    world = world_for("published" if call.state == "closed" else call.state)
    response = perform(api, call, world, role)
    assert response.status_code == call.expected[role], getattr(response, "data", response)
    if response.status_code >= 400:
        body = response.json()
        assert set(body) == {"detail", "errors"}


@pytest.mark.parametrize(("call", "role"), cases(PAGES))
def test_page_permission_matrix(world_for, client, call, role):
    world = world_for("published" if call.state == "closed" else call.state)
    response = perform(client, call, world, role)
    assert response.status_code == call.expected[role]
    if response.status_code == 302 and role == "anonymous" and call.expected[role] == LOGIN:
        assert response["Location"].startswith(reverse("account_login"))
    if call.method == "post" and response.status_code == 302 and role not in ("anonymous",):
        # Allowed page actions really happened (not merely redirected with an error).
        from django.contrib.messages import get_messages

        levels = [m.level_tag for m in get_messages(response.wsgi_request)]
        assert "error" not in levels, [str(m) for m in get_messages(response.wsgi_request)]


def test_list_shows_drafts_only_to_their_buyer(world_for, api):
    world = world_for("draft")
    expected = {"alice": 1, "bob": 1, "charlie": 0, "fatima": 0, "anonymous": 0}
    for role, count in expected.items():
        api.force_authenticate(world.users[role])
        assert api.get(reverse("api-opportunities")).json()["count"] == count, role


def test_creating_needs_a_buyer_organisation(reference_data, api):
    supplier = member_of(CompanyFactory())
    api.force_authenticate(supplier)
    response = api.post(reverse("api-opportunities"), {"kind": "tender", "title": "X"})
    assert response.status_code == 403
    api.force_authenticate(None)
    response = api.post(reverse("api-opportunities"), {"kind": "tender", "title": "X"})
    assert response.status_code == 401
    charlie = member_of(BuyerFactory())
    api.force_authenticate(charlie)
    response = api.post(reverse("api-opportunities"), {"kind": "tender", "title": "X"})
    assert response.status_code == 201
    assert Opportunity.objects.get().buyer == charlie.memberships.get().organisation


def test_buyer_pages_for_people_without_a_buyer_organisation(reference_data, client):
    client.force_login(member_of(CompanyFactory()))
    response = client.get(reverse("buyer-dashboard"))
    assert response.status_code == 200
    assert "Register a buyer organisation" in response.content.decode()
    response = client.get(reverse("opportunity-create", args=["tender"]))
    assert response.status_code == 302
    assert response["Location"] == reverse("organisation-create", args=["buyer"])


def test_only_admins_of_a_buyer_manage_its_members(world_for, api):
    world = world_for("draft")
    org = world.opportunity.buyer
    bob = world.users["bob"]
    url = reverse("api-organisation-member-detail", args=[org.pk, bob.pk])
    api.force_authenticate(bob)
    assert api.patch(url, {"role": "admin"}, format="json").status_code in (403, 404)
    api.force_authenticate(world.users["charlie"])
    assert api.patch(url, {"role": "admin"}, format="json").status_code == 404
    api.force_authenticate(world.users["alice"])
    assert api.patch(url, {"role": "admin"}, format="json").status_code == 200
