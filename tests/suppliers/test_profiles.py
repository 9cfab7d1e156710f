"""Company profiles: the service, completeness, the public page, edit pages and the API."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from marketplace.core.errors import ApplicationError, Forbidden
from suppliers import selectors, services
from suppliers.models import CompanyProfile
from tests.factories import CompanyFactory, UserFactory, member_of
from tests.suppliers.helpers import company

pytestmark = pytest.mark.django_db

# A 1x1 PNG.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000185d45c2f0000000049454e44ae426082"
)


@pytest.fixture
def startup():
    return CompanyFactory(name="Stadsdata Lab B.V.", slug="stadsdata-lab", size_class="startup")


@pytest.fixture
def alice(startup):
    return member_of(startup, "admin")


@pytest.fixture
def bob(startup):
    return member_of(startup, "member")


@pytest.fixture
def charlie():
    other = CompanyFactory(name="Andere B.V.")
    return member_of(other, "admin")


def test_a_member_fills_in_the_profile(reference_data, startup, bob):
    profile = services.company_profile_update(
        company=startup,
        by=bob,
        data={
            "description": "Wij voorspellen drukte in de stad met open data en sensoren.",
            "competencies": [
                {"slug": "data-aggregation", "level": 3, "evidence_url": "https://x.example/a"},
                {"slug": "behaviour-prediction", "level": 2},
            ],
            "cpv_codes": ["72000000-5", "73100000"],
            "regions": ["nl32b", "GM0363"],
            "references": [{"title": "Drukte Museumplein", "client": "Gemeente Amsterdam"}],
            "languages": ["NL", "en"],
            "trl": 7,
            "main_offering": "Drukteverwachting",
            "website": "https://stadsdata.example",
        },
    )
    assert {c.competency.slug: c.level for c in profile.competency_levels.all()} == {
        "data-aggregation": 3,
        "behaviour-prediction": 2,
    }
    assert sorted(c.code for c in profile.cpv_interests.all()) == ["72000000", "73100000"]
    assert sorted(r.code for r in profile.regions.all()) == ["GM0363", "NL32B"]
    assert profile.languages == ["nl", "en"]
    startup.refresh_from_db()
    assert startup.website == "https://stadsdata.example"
    assert "voorspel" in profile.match_text["terms"]  # stemmed, for matching
    assert profile.match_text["surface"]["druk"] == "drukte"


def test_a_stranger_cannot_change_the_profile(reference_data, startup, charlie):
    with pytest.raises(Forbidden):
        services.company_profile_update(company=startup, by=charlie, data={"description": "x"})


def test_bad_profile_data_names_every_field(reference_data, startup, alice):
    with pytest.raises(ApplicationError) as exc:
        services.company_profile_update(
            company=startup,
            by=alice,
            data={
                "competencies": [{"slug": "juggling", "level": 2}],
                "cpv_codes": ["99999999"],
                "regions": ["XX99"],
                "trl": 12,
                "founding_year": 2999,
                "languages": ["dutch"],
            },
        )
    assert set(exc.value.errors) == {
        "competencies.0.slug",
        "cpv_codes",
        "regions",
        "trl",
        "founding_year",
        "languages",
    }
    assert not CompanyProfile.objects.filter(organisation=startup, trl=12).exists()


def test_logo_must_be_a_real_png_or_jpeg(reference_data, startup, alice):
    fake = SimpleUploadedFile("logo.png", b"MZ\x90\x00 not an image", content_type="image/png")
    with pytest.raises(ApplicationError) as exc:
        services.company_logo_set(company=startup, by=alice, upload=fake)
    assert "logo" in exc.value.errors
    profile = services.company_logo_set(
        company=startup, by=alice, upload=SimpleUploadedFile("logo.png", PNG)
    )
    assert profile.logo.name.endswith(".png")


def test_completeness_names_the_next_most_useful_thing(reference_data, startup, alice):
    def completeness():
        profile = selectors.company_profile_with_relations(
            CompanyProfile.objects.filter(organisation=startup)
        ).first()
        return selectors.profile_completeness(profile, startup)

    empty = selectors.profile_completeness(None, startup)
    assert empty.next.key == "competencies"
    assert empty.percent == 5  # only the size class
    services.company_profile_update(
        company=startup, by=alice, data={"competencies": [{"slug": "data-aggregation"}]}
    )
    assert completeness().next.key == "description"
    assert "Describe what your company does" in str(completeness().next.advice)
    services.company_profile_update(company=startup, by=alice, data={"description": "x" * 200})
    assert completeness().next.key == "references"
    assert completeness().percent == 45


def test_public_page_only_for_companies_that_opt_in(reference_data, client, startup, alice):
    company_url = reverse("company-public", kwargs={"slug": startup.slug})
    assert client.get(company_url).status_code == 404  # no profile at all
    services.company_profile_update(
        company=startup, by=alice, data={"description": "Wij voorspellen drukte."}
    )
    assert client.get(company_url).status_code == 404  # not public
    client.force_login(alice)
    preview = client.get(company_url)
    assert preview.status_code == 200
    assert "Only members of your company see this page" in preview.content.decode()
    client.logout()
    services.company_profile_update(company=startup, by=alice, data={"is_public": True})
    page = client.get(company_url)
    assert page.status_code == 200
    assert "Wij voorspellen drukte." in page.content.decode()
    assert client.get(reverse("company-public", kwargs={"slug": "missing"})).status_code == 404


def test_logo_is_served_only_with_the_page(reference_data, client, startup, alice):
    services.company_logo_set(company=startup, by=alice, upload=SimpleUploadedFile("l.png", PNG))
    url = reverse("company-logo", kwargs={"slug": startup.slug})
    assert client.get(url).status_code == 404
    services.company_profile_update(company=startup, by=alice, data={"is_public": True})
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content) == PNG


def test_edit_pages_save_the_profile(reference_data, client, startup, bob):
    client.force_login(bob)
    page = client.get(reverse("profile-edit"))
    assert page.status_code == 200
    assert "Add your competencies" in page.content.decode()
    response = client.post(
        reverse("profile-edit"),
        {
            "description": "Wij voorspellen drukte.",
            "size_class": "startup",
            "city": "Amsterdam",
            "regions": "NL32B, GM0363",
            "cpv_codes": "72000000",
            "languages": "nl, en",
            "is_public": "on",
            "logo": SimpleUploadedFile("logo.png", PNG),
        },
    )
    assert response.status_code == 302
    profile = CompanyProfile.objects.get(organisation=startup)
    assert profile.is_public and profile.logo
    assert sorted(r.code for r in profile.regions.all()) == ["GM0363", "NL32B"]
    response = client.post(
        reverse("profile-competencies"),
        {"level_data-aggregation": "3", "evidence_data-aggregation": "https://x.example"},
    )
    assert response.status_code == 302
    assert profile.competency_levels.get().competency.slug == "data-aggregation"
    response = client.post(
        reverse("profile-references"), {"title": "Drukte Museumplein", "year": "2025"}
    )
    assert response.status_code == 302
    assert profile.references.get().title == "Drukte Museumplein"


def test_edit_page_shows_errors_for_unknown_codes(reference_data, client, startup, bob):
    client.force_login(bob)
    response = client.post(reverse("profile-edit"), {"regions": "XX99", "size_class": "startup"})
    assert response.status_code == 200
    assert "Unknown: XX99." in response.content.decode()


def test_edit_page_sends_people_without_a_company_to_add_one(reference_data, client):
    client.force_login(UserFactory())
    response = client.get(reverse("profile-edit"))
    assert response.status_code == 302
    assert response.url == reverse("organisation-create", kwargs={"kind": "company"})


# -- API ----------------------------------------------------------------------------------------


def test_api_lists_public_companies_with_filters(reference_data, api, django_assert_num_queries):
    company(name="Data B.V.", competencies=["data-aggregation"], regions=["GM0363"])
    company(
        name="Nudge B.V.",
        competencies=["behaviour-influencing"],
        regions=["GM0344"],
        cpv_codes=["79340000"],
        size_class="small",
    )
    company(name="Verborgen B.V.", competencies=["data-aggregation"], is_public=False)
    for i in range(4):
        company(name=f"Extra {i} B.V.", competencies=["sensor-networks"])
    # count, page, and one query each for competencies, CPV codes, regions, references
    with django_assert_num_queries(6):
        response = api.get("/api/v1/companies/")
    assert response.status_code == 200
    assert response.data["count"] == 6
    assert "Verborgen B.V." not in [r["name"] for r in response.data["results"]]

    def names(**params):
        return [r["name"] for r in api.get("/api/v1/companies/", params).data["results"]]

    assert names(competency="data-and-analytics") == ["Data B.V."]  # a parent finds children
    assert names(region="NL32") == ["Data B.V."]  # Amsterdam lies in Noord-Holland
    assert names(cpv="79000000") == ["Nudge B.V."]
    assert names(size="small") == ["Nudge B.V."]


def test_api_detail_shows_public_or_own_profiles(reference_data, api, startup, alice, charlie):
    services.company_profile_update(company=startup, by=alice, data={"description": "Hallo"})
    url = f"/api/v1/companies/{startup.pk}/"
    assert api.get(url).status_code == 404
    api.force_authenticate(charlie)
    assert api.get(url).status_code == 404
    api.force_authenticate(alice)
    own = api.get(url)
    assert own.status_code == 200
    assert own.data["completeness"]["next"].startswith("Add your competencies")
    services.company_profile_update(company=startup, by=alice, data={"is_public": True})
    api.force_authenticate(None)
    public = api.get(url)
    assert public.status_code == 200
    assert "completeness" not in public.data
    assert public.data["description"] == "Hallo"


@pytest.mark.parametrize(("who", "status"), [("alice", 200), ("bob", 200), ("charlie", 404)])
def test_only_members_patch_their_company(
    reference_data, api, startup, alice, bob, charlie, who, status
):
    services.company_profile_update(company=startup, by=alice, data={"is_public": True})
    api.force_authenticate({"alice": alice, "bob": bob, "charlie": charlie}[who])
    response = api.patch(
        f"/api/v1/companies/{startup.pk}/",
        {
            "description": "Nieuw",
            "competencies": [{"slug": "data-aggregation", "level": 3}],
            "regions": ["NL32B"],
        },
        format="json",
    )
    assert response.status_code == status
    profile = CompanyProfile.objects.get(organisation=startup)
    assert (profile.description == "Nieuw") is (status == 200)
    if status == 200:
        assert response.data["competencies"][0]["slug"] == "data-aggregation"
        assert response.data["regions"] == ["NL32B"]


def test_api_patch_errors_are_400_with_fields(reference_data, api, startup, alice):
    api.force_authenticate(alice)
    response = api.patch(
        f"/api/v1/companies/{startup.pk}/",
        {"competencies": [{"slug": "juggling"}], "trl": 12},
        format="json",
    )
    assert response.status_code == 400
    assert set(response.data["errors"]) >= {"trl"}
    response = api.patch(
        f"/api/v1/companies/{startup.pk}/", {"competencies": [{"slug": "juggling"}]}, format="json"
    )
    assert response.status_code == 400
    assert "competencies.0.slug" in response.data["errors"]


def test_api_logo_upload(reference_data, api, startup, alice, charlie):
    api.force_authenticate(charlie)
    url = f"/api/v1/companies/{startup.pk}/logo/"
    assert api.put(url, {"logo": io.BytesIO(PNG)}, format="multipart").status_code == 404
    api.force_authenticate(alice)
    upload = SimpleUploadedFile("logo.png", PNG, content_type="image/png")
    response = api.put(url, {"logo": upload}, format="multipart")
    assert response.status_code == 200
    assert response.data["logo_url"].endswith(f"/companies/{startup.slug}/logo/")
    bad = SimpleUploadedFile("logo.jpg", b"GIF89a....", content_type="image/jpeg")
    assert api.put(url, {"logo": bad}, format="multipart").status_code == 400
