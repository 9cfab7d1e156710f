"""The scoring core on plain facts: every part of the score, the hard filters and the words."""

from __future__ import annotations

import dataclasses

import pytest
from django.utils import translation

from suppliers import matching
from suppliers.matching import (
    WEIGHTS,
    CompanyFacts,
    Context,
    FeedbackFact,
    History,
    OpportunityFacts,
    Place,
    Taxonomy,
)
from suppliers.text import CorpusStats, analyse

TAXONOMY = Taxonomy(
    parent={
        "data-and-analytics": None,
        "data-aggregation": "data-and-analytics",
        "behaviour-prediction": "data-and-analytics",
        "people-and-behaviour": None,
        "behaviour-influencing": "people-and-behaviour",
    },
    label_en={
        "data-and-analytics": "Data and analytics",
        "data-aggregation": "Data aggregation",
        "behaviour-prediction": "Behaviour prediction",
        "people-and-behaviour": "People and behaviour",
        "behaviour-influencing": "Behaviour influencing",
    },
)
AMSTERDAM = Place("GM0363", ("GM0363", "NL32", "NL3", "NL"), "Amsterdam", "Amsterdam")
GROOT_AMSTERDAM = Place("NL32B", ("NL32B", "NL32", "NL3", "NL"), "Groot-Amsterdam")
HAARLEM = Place("GM0392", ("GM0392", "NL32", "NL3", "NL"), "Haarlem")
UTRECHT = Place("GM0344", ("GM0344", "NL35", "NL3", "NL"), "Utrecht")
NOORD_HOLLAND = Place("NL32", ("NL32", "NL3", "NL"), "Noord-Holland")
GRONINGEN = Place("GM0014", ("GM0014", "NL113", "NL11", "NL1", "NL"), "Groningen")
ANTWERPEN = Place("BE211", ("BE211", "BE21", "BE2", "BE"), "Antwerpen")
CONTEXT = Context(taxonomy=TAXONOMY)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def opp(**kw) -> OpportunityFacts:
    return OpportunityFacts(id=kw.pop("id", 1), **kw)


def company(**kw) -> CompanyFacts:
    return CompanyFacts(id=kw.pop("id", 10), **kw)


# -- Competencies -------------------------------------------------------------------------------


def test_exact_competencies_score_full_and_the_level_scales_them():
    asked = ["data-aggregation", "behaviour-prediction"]
    expert = matching.competency_fit(
        asked, {"data-aggregation": 3, "behaviour-prediction": 3}, TAXONOMY
    )
    basic = matching.competency_fit(
        asked, {"data-aggregation": 1, "behaviour-prediction": 1}, TAXONOMY
    )
    assert expert[0] == 1.0
    assert basic[0] == pytest.approx(WEIGHTS.competency_levels[0])
    assert expert[1] == asked


def test_a_parent_matches_its_children_partly():
    generalist = matching.competency_fit(["data-aggregation"], {"data-and-analytics": 3}, TAXONOMY)
    specialist = matching.competency_fit(["data-and-analytics"], {"data-aggregation": 3}, TAXONOMY)
    sibling = matching.competency_fit(["data-aggregation"], {"behaviour-prediction": 3}, TAXONOMY)
    unrelated = matching.competency_fit(
        ["data-aggregation"], {"behaviour-influencing": 3}, TAXONOMY
    )
    assert generalist[0] == WEIGHTS.competency_parent
    assert specialist[0] == WEIGHTS.competency_child
    assert sibling[0] == WEIGHTS.competency_sibling
    assert unrelated[0] == 0
    assert 1.0 > specialist[0] > generalist[0] > sibling[0] > unrelated[0]
    assert generalist[2] == [("data-aggregation", "data-and-analytics")]


def test_competencies_not_covered_are_named_missing():
    _v, _e, _p, missing, _per = matching.competency_fit(
        ["data-aggregation", "behaviour-influencing"], {"data-aggregation": 3}, TAXONOMY
    )
    assert missing == ["behaviour-influencing"]


# -- CPV ----------------------------------------------------------------------------------------


def test_cpv_same_class_above_same_group_above_same_division():
    asked = "72212000"  # programming services of application software
    same_category = matching.cpv_similarity(asked, "72212100")[0]
    same_class = matching.cpv_similarity(asked, "72220000")[0]
    same_group = matching.cpv_similarity(asked, "72300000")[0]
    same_division = matching.cpv_similarity(asked, "72000000")[0]  # contains it: full
    other_division = matching.cpv_similarity(asked, "73000000")[0]
    assert same_division == 1.0
    assert matching.cpv_similarity(asked, "72212000")[0] == 1.0
    assert same_category == 1.0  # 7221210 lies inside 72212
    assert matching.cpv_similarity("72212000", "72213000")[0] == 0.7  # same class 7221
    assert same_class == 0.5 and same_group == 0.25
    assert matching.cpv_similarity("72212000", "72610000")[0] == 0.25  # same division only
    assert other_division == 0.0


def test_cpv_fit_counts_the_main_code_double_and_rare_codes_more():
    fit, best = matching.cpv_fit(["72212000", "79300000"], ["72212000"])
    assert fit == pytest.approx(2 / 3)
    assert best == ("72212000", "72212000", 1.0)
    stats = matching.CpvStats.of([["72212000"], ["72100000"], ["72300000"], ["79300000"]])
    division_only = matching.cpv_fit(["72212000"], ["72610000"], stats=stats)[0]
    assert division_only < 0.25  # "72" is shared by most companies: it says little


# -- Regions ------------------------------------------------------------------------------------


def test_region_fit_knows_the_hierarchy():
    assert matching.region_fit([AMSTERDAM], [AMSTERDAM])[0] == 1.0
    assert matching.region_fit([AMSTERDAM], [NOORD_HOLLAND])[0] == 1.0  # serves the province
    assert matching.region_fit([NOORD_HOLLAND], [AMSTERDAM])[0] == 1.0  # opportunity covers it
    assert matching.region_fit([AMSTERDAM], [HAARLEM])[0] == WEIGHTS.region_province
    assert matching.region_fit([AMSTERDAM], [UTRECHT])[0] == WEIGHTS.region_nuts1
    assert matching.region_fit([AMSTERDAM], [])[0] == 0.0


def test_region_fit_counts_the_same_country_most_and_abroad_not_at_all():
    assert matching.region_fit([AMSTERDAM], [GRONINGEN])[0] == WEIGHTS.region_country
    assert matching.region_fit([AMSTERDAM], [ANTWERPEN])[0] == 0.0
    assert matching.region_fit([AMSTERDAM], [ANTWERPEN, GRONINGEN])[1][1] == GRONINGEN
    ladder = [
        WEIGHTS.region_nuts3,
        WEIGHTS.region_province,
        WEIGHTS.region_nuts1,
        WEIGHTS.region_country,
    ]
    assert ladder == sorted(ladder, reverse=True)
    assert WEIGHTS.region_country >= 0.5  # the country is most of the fit, nearer adds the rest


def test_a_company_abroad_scores_below_one_in_the_same_country():
    o = opp(cpv_codes=("72212000",), places=(AMSTERDAM,))
    same = dict(cpv_codes=("72212000",))
    home = matching.score(o, company(id=1, places=(GRONINGEN,), **same), CONTEXT)
    abroad = matching.score(o, company(id=2, places=(ANTWERPEN,), **same), CONTEXT)
    near = matching.score(o, company(id=3, places=(HAARLEM,), **same), CONTEXT)
    assert near.exact > home.exact > abroad.exact
    available = WEIGHTS.cpv + WEIGHTS.region + WEIGHTS.history
    gap = 100 * WEIGHTS.region * WEIGHTS.region_country / available
    assert home.exact - abroad.exact == pytest.approx(gap)
    assert home.parts["region"] == WEIGHTS.region_country
    assert abroad.parts["region"] == 0.0


def test_a_region_only_in_the_same_country_is_not_called_near():
    o = opp(places=(AMSTERDAM,))
    match = matching.score(o, company(places=(GRONINGEN,)), CONTEXT)
    assert matching.explain(match, TAXONOMY) == ["In Amsterdam, in the same country as Groningen"]
    assert matching.explain(match, TAXONOMY, audience="buyer") == [
        "Works in Groningen, in the same country as Amsterdam"
    ]
    abroad = matching.score(o, company(places=(ANTWERPEN,)), CONTEXT)
    assert matching.explain(abroad, TAXONOMY) == []


# -- Text ---------------------------------------------------------------------------------------


def test_text_relevance_stems_dutch_words():
    query = analyse("Wij willen de drukte voorspellen op het Museumplein")
    near = analyse("Wij voorspelden drukte en bezoekersstromen voor evenementen")
    far = analyse("Wij leveren kantoormeubilair en bureaustoelen")
    others = [
        analyse(t).terms
        for t in ("Wij bouwen bruggen", "Schoonmaak van kantoren", "Wij drukken boeken")
    ]
    stats = CorpusStats.of([near.terms, far.terms, *others])
    near_fit, words = matching.text_fit(query, near, stats)
    assert near_fit > 0.1 and matching.text_fit(query, far, stats)[0] == 0
    assert set(words) == {"drukte", "voorspellen"}


# -- History and feedback -----------------------------------------------------------------------


def test_history_counts_awards_from_the_same_buyer_and_with_similar_cpv():
    o = opp(buyer="7", buyer_name="Gemeente Amsterdam", cpv_codes=("72212000",))
    none = matching.history_fit(o, History())[0]
    buyer = matching.history_fit(
        o, History(awards_by_buyer={"7": 2}, award_cpv_codes=["45000000"] * 2, awards=2)
    )
    cpv = matching.history_fit(o, History(award_cpv_codes=["72212000", "72211000"], awards=2))
    assert none == 0
    assert buyer[1] == {"buyer_awards": 2}
    assert cpv[1] == {"similar_awards": 2}
    assert buyer[0] > cpv[0] > 0


def test_feedback_moves_similar_opportunities():
    liked = FeedbackFact(1, True, "7", frozenset({"72"}), frozenset({"data-aggregation"}))
    disliked = FeedbackFact(2, False, "8", frozenset({"45"}), frozenset())
    similar = opp(id=3, buyer="7", cpv_codes=("72100000",), competencies=("data-aggregation",))
    other = opp(id=4, buyer="8", cpv_codes=("45000000",))
    assert matching.feedback_adjustment(similar, [liked, disliked])[0] == pytest.approx(1.0)
    assert matching.feedback_adjustment(other, [liked, disliked])[0] == pytest.approx(-0.7)
    assert matching.feedback_adjustment(opp(id=1), [liked]) == (1.0, True)


# -- Hard filters -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("facts", "size", "blocked"),
    [
        ({"eligible_sizes": ("startup",)}, "large", True),
        ({"eligible_sizes": ("startup",)}, "small", True),
        ({"eligible_sizes": ("startup",)}, "startup", False),
        ({"eligible_sizes": ("startup",)}, "", False),  # unknown size: not blocked
        ({"is_sme_suitable": True}, "large", True),
        ({"is_sme_suitable": True}, "medium", False),
    ],
)
def test_size_rules_are_hard_filters(facts, size, blocked):
    o = opp(competencies=("data-aggregation",), **facts)
    c = company(size_class=size, competencies={"data-aggregation": 3})
    match = matching.score(o, c, CONTEXT)
    assert match.eligible is not blocked
    if blocked:
        assert match.score == 0
        assert matching.rank([match]) == []


def test_a_large_company_never_matches_a_call_for_start_ups_only_however_well_it_fits():
    o = opp(
        competencies=("data-aggregation",),
        cpv_codes=("72000000",),
        places=(AMSTERDAM,),
        eligible_sizes=("startup",),
    )
    perfect_but_large = company(
        size_class="large",
        competencies={"data-aggregation": 3},
        cpv_codes=("72000000",),
        places=(AMSTERDAM,),
    )
    assert not matching.score(o, perfect_but_large, CONTEXT).eligible


def test_technology_readiness_and_language_are_hard_filters():
    lab = opp(trl_min=5, trl_max=8, competencies=("data-aggregation",))
    assert not matching.score(lab, company(trl=3), CONTEXT).eligible
    assert matching.score(lab, company(trl=6), CONTEXT).eligible
    assert matching.score(lab, company(trl=None), CONTEXT).eligible
    dutch = opp(languages=("nl",), competencies=("data-aggregation",))
    assert not matching.score(dutch, company(languages=("en",)), CONTEXT).eligible
    assert matching.score(dutch, company(languages=("en", "nl")), CONTEXT).eligible


# -- The score ----------------------------------------------------------------------------------


def test_each_part_raises_the_score():
    o = opp(
        buyer="7",
        competencies=("data-aggregation",),
        cpv_codes=("72000000",),
        places=(AMSTERDAM,),
        text=analyse("drukte voorspellen met sensoren"),
    )
    empty = company()
    scores = {"nothing": matching.score(o, empty, CONTEXT).score}
    for name, change in {
        "competency": {"competencies": {"data-aggregation": 3}},
        "cpv": {"cpv_codes": ("72000000",)},
        "region": {"places": (AMSTERDAM,)},
        "text": {"text": analyse("wij voorspellen drukte")},
        "history": {"history": History(awards_by_buyer={"7": 1}, awards=1)},
    }.items():
        scores[name] = matching.score(o, dataclasses.replace(empty, **change), CONTEXT).score
        assert scores[name] > scores["nothing"], name
    assert scores["competency"] - scores["nothing"] == pytest.approx(30, abs=1)
    assert scores["region"] - scores["nothing"] == pytest.approx(10, abs=1)


def test_parts_the_opportunity_does_not_use_are_left_out():
    o = opp(competencies=("data-aggregation",))  # no CPV codes, no regions, no text
    c = company(competencies={"data-aggregation": 3})
    match = matching.score(o, c, CONTEXT)
    assert set(match.parts) == {"competency", "history"}
    assert match.score == round(100 * 30 / (30 + 20))


def test_weights_live_in_one_place_and_can_be_changed():
    o = opp(competencies=("data-aggregation",), places=(AMSTERDAM,))
    c = company(competencies={"data-aggregation": 3})
    heavy_region = Context(
        taxonomy=TAXONOMY, weights=dataclasses.replace(WEIGHTS, region=70, history=0)
    )
    assert matching.score(o, c, heavy_region).score == 30
    assert WEIGHTS.version != dataclasses.replace(WEIGHTS, region=70).version


def test_rank_puts_the_best_first_and_drops_the_ineligible():
    o = opp(competencies=("data-aggregation",), is_sme_suitable=True)
    good = company(id=1, competencies={"data-aggregation": 3})
    partial = company(id=2, competencies={"data-and-analytics": 3})
    large = company(id=3, competencies={"data-aggregation": 3}, size_class="large")
    ranked = matching.rank(matching.score(o, c, CONTEXT) for c in (partial, large, good))
    assert [m.company_id for m in ranked] == [1, 2]


# -- Reasons ------------------------------------------------------------------------------------


def test_reasons_in_plain_words_for_the_company():
    o = opp(
        competencies=("behaviour-prediction", "data-aggregation"),
        places=(GROOT_AMSTERDAM,),
        eligible_sizes=("startup", "micro"),
    )
    c = company(
        size_class="startup",
        competencies={"data-aggregation": 3, "behaviour-prediction": 2},
        places=(GROOT_AMSTERDAM,),
    )
    reasons = matching.explain(matching.score(o, c, CONTEXT), TAXONOMY)
    assert reasons == [
        "Matches your competencies behaviour prediction and data aggregation",
        "In Groot-Amsterdam",
        "Open to start-ups",
    ]
    assert matching.reasons_sentence(reasons) == (
        "Matches your competencies behaviour prediction and data aggregation; "
        "in Groot-Amsterdam; open to start-ups"
    )


def test_reasons_name_partial_competencies_cpv_text_history_and_feedback():
    o = opp(
        id=5,
        buyer="7",
        buyer_name="Gemeente Amsterdam",
        competencies=("data-aggregation",),
        cpv_codes=("72212000",),
        cpv_labels={"72212000": "Programming services of application software"},
        places=(AMSTERDAM,),
        text=analyse("drukte voorspellen"),
        is_sme_suitable=True,
    )
    c = company(
        size_class="small",
        competencies={"data-and-analytics": 2},
        cpv_codes=("72212000",),
        places=(HAARLEM,),
        text=analyse("wij voorspellen drukte"),
        history=History(awards_by_buyer={"7": 2}, award_cpv_codes=["72212000"], awards=2),
        feedback=(FeedbackFact(9, True, "7", frozenset({"72"}), frozenset()),),
    )
    pool = [c.text.terms] + [analyse(t).terms for t in ("bruggen", "schoonmaak", "boeken")]
    context = Context(taxonomy=TAXONOMY, text_stats=CorpusStats.of(pool))
    reasons = matching.explain(matching.score(o, c, context), TAXONOMY)
    assert reasons == [
        "Asks for data aggregation, close to your data and analytics",
        "Near your region: Amsterdam, close to Haarlem",
        "Suitable for SMEs",
        "Fits your CPV interest 72212000 (Programming services of application software)",
        "Mentions drukte and voorspellen, as your profile does",
        "You won 2 earlier contracts from Gemeente Amsterdam",
        "You won 1 contract with similar CPV codes",
        "Like opportunities you marked relevant",
    ]


def test_reasons_for_the_buyer_speak_about_the_company():
    o = opp(
        buyer="7",
        buyer_name="Gemeente Amsterdam",
        competencies=("data-aggregation",),
        places=(AMSTERDAM,),
        eligible_sizes=("startup",),
    )
    c = company(
        competencies={"data-aggregation": 3},
        places=(NOORD_HOLLAND,),
        size_class="startup",
        history=History(awards_by_buyer={"7": 1}, awards=1),
    )
    reasons = matching.explain(matching.score(o, c, CONTEXT), TAXONOMY, audience="buyer")
    assert reasons == [
        "Has the competency data aggregation",
        "Works in Amsterdam",
        "A start-up, which this call is open to",
        "Won 1 earlier contract from Gemeente Amsterdam",
    ]


def test_an_ineligible_pair_says_why_not():
    o = opp(competencies=("data-aggregation",), eligible_sizes=("startup",))
    match = matching.score(o, company(size_class="medium"), CONTEXT)
    assert matching.explain(match, TAXONOMY) == ["Not open to companies of this size"]
