"""Matching reads: candidates from indexed queries, facts for the scoring core, ranked matches.

Both directions work the same way, in a fixed number of queries whatever the data size:
1. candidate generation: a few indexed queries (competency join, CPV division join, earlier
   awards from the same buyer), each ordered by overlap and capped at WEIGHTS.candidates;
2. loading the facts of that bounded set with select_related/prefetch_related;
3. scoring in memory with suppliers.matching (statistics such as BM25's document frequencies
   come from the candidate pool).

Entry points: `matches_for_company` ("For you"), `matches_for_opportunity` (suggested companies,
alerts), `match_for_pair`, `partner_suggestions`, `market_scan`.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from django.apps import apps
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Count, Q
from django.utils import translation

from marketplace.core import clock
from marketplace.core.models import Competency, Organisation, Region
from suppliers import matching
from suppliers.matching import (
    WEIGHTS,
    CompanyFacts,
    Context,
    FeedbackFact,
    History,
    Match,
    OpportunityFacts,
    Place,
    Taxonomy,
)
from suppliers.models import CompanyProfile, MatchFeedback
from suppliers.text import Analysed, CorpusStats, analyse_all
from tenders.models import Award, Opportunity
from tenders.selectors import opportunity_with_relations

DESCRIPTION_CHARS = 4000  # enough of a long imported description to know what it is about


# -- Reference data -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Reference:
    taxonomy: Taxonomy
    slug_by_id: dict[int, str]

    def ids(self, slugs: Iterable[str]) -> list[int]:
        wanted = set(slugs)
        return [pk for pk, slug in self.slug_by_id.items() if slug in wanted]


@lru_cache(maxsize=1)
def _keywords() -> dict[str, tuple[str, ...]]:
    from marketplace.core.reference import competency_rows

    return {row["slug"]: tuple(row.get("keywords", [])) for row in competency_rows()}


def reference_load() -> Reference:
    """The competency taxonomy (one query)."""
    rows = list(
        Competency.objects.values_list("id", "slug", "parent__slug", "label_en", "label_nl")
    )
    return Reference(
        taxonomy=Taxonomy(
            parent={slug: parent for _pk, slug, parent, _en, _nl in rows},
            label_en={slug: en for _pk, slug, _p, en, _nl in rows},
            label_nl={slug: nl for _pk, slug, _p, _en, nl in rows},
            keywords=_keywords(),
        ),
        slug_by_id={pk: slug for pk, slug, *_rest in rows},
    )


def _nuts_chain(code: str) -> tuple[str, ...]:
    return tuple(code[:n] for n in range(len(code), 1, -1))


def place_of(region: Region) -> Place:
    """A region with the regions above it, without a query: NUTS codes nest by prefix (NL32B,
    NL32, NL3, NL) and a municipality's parent is its province."""
    if region.kind == Region.Kind.MUNICIPALITY:
        chain = (region.code, *_nuts_chain(region.parent_id or ""))
    else:
        chain = _nuts_chain(region.code)
    return Place(code=region.code, chain=chain, label_en=region.label_en, label_nl=region.label_nl)


# -- Facts --------------------------------------------------------------------------------------


def _related(obj, name: str):
    try:
        return getattr(obj, name)
    except ObjectDoesNotExist:
        return None


def opportunity_facts(opportunity: Opportunity) -> OpportunityFacts:
    """Facts of an opportunity loaded with opportunity_with_relations (no further queries
    when its funding and test_location are select_related)."""
    codes = sorted(c.code for c in opportunity.cpv_codes.all())
    labels = {c.code: c.label for c in opportunity.cpv_codes.all()}
    if opportunity.main_cpv_id:
        codes = [opportunity.main_cpv_id, *[c for c in codes if c != opportunity.main_cpv_id]]
        if opportunity.main_cpv is not None:
            labels[opportunity.main_cpv_id] = opportunity.main_cpv.label
    funding = _related(opportunity, "funding") if opportunity.kind == "funding" else None
    test = _related(opportunity, "test_location") if opportunity.kind == "test_location" else None
    return OpportunityFacts(
        id=opportunity.pk,
        kind=opportunity.kind,
        buyer=str(opportunity.buyer_id),
        buyer_name=opportunity.buyer.name,
        competencies=tuple(sorted(c.slug for c in opportunity.competencies.all())),
        cpv_codes=tuple(codes),
        cpv_labels=labels,
        places=tuple(place_of(r) for r in opportunity.regions.all()),
        text=analyse_all(
            [opportunity.title, opportunity.summary, opportunity.description[:DESCRIPTION_CHARS]]
        ),
        is_sme_suitable=opportunity.is_sme_suitable,
        is_first_timer_friendly=opportunity.is_first_timer_friendly,
        eligible_sizes=tuple(funding.eligible_sizes or ()) if funding else (),
        languages=tuple(opportunity.languages or ()),
        trl_min=test.trl_min if test else None,
        trl_max=test.trl_max if test else None,
    )


def _opportunities_load(ids: Iterable[int]) -> list[Opportunity]:
    return list(
        opportunity_with_relations(Opportunity.objects.filter(pk__in=list(ids))).select_related(
            "funding", "test_location"
        )
    )


def _profiles_load(qs) -> list[CompanyProfile]:
    return list(
        qs.select_related("organisation").prefetch_related(
            "competency_levels", "cpv_interests", "regions"
        )
    )


def _stored_text(profile: CompanyProfile) -> Analysed:
    data = profile.match_text or {}
    return Analysed(terms=Counter(data.get("terms", {})), surface=dict(data.get("surface", {})))


def _application_rows(company_ids: Sequence[int]) -> list[tuple[int, int]]:
    """(company id, buyer id) of submitted applications (tenders.Application with `company`,
    `opportunity`, `submitted_at` and, when it has them, the statuses in RECEIVED, which leave
    out withdrawn ones). Empty while that model does not exist."""
    try:
        model = apps.get_model("tenders", "Application")
    except LookupError:
        return []
    names = {f.name for f in model._meta.get_fields()}
    if not {"company", "opportunity"} <= names:
        return []
    qs = model.objects.filter(company_id__in=company_ids)
    if "submitted_at" in names:
        qs = qs.filter(submitted_at__isnull=False)
    received = getattr(model, "RECEIVED", None)
    if received and "status" in names:
        qs = qs.filter(status__in=list(received))
    return list(qs.values_list("company_id", "opportunity__buyer_id"))


def _histories(company_ids: Sequence[int]) -> dict[int, History]:
    """Earlier awards (and applications) per company, in at most three queries."""
    out: dict[int, History] = defaultdict(History)
    if not company_ids:
        return out
    rows = list(
        Award.objects.filter(company_id__in=company_ids, is_awarded=True).values_list(
            "company_id", "opportunity_id", "opportunity__buyer_id", "opportunity__main_cpv_id"
        )
    )
    without_main = {opp for _c, opp, _b, main in rows if not main}
    first_code: dict[int, str] = {}
    if without_main:
        through = Opportunity.cpv_codes.through
        for opp, code in (
            through.objects.filter(opportunity_id__in=without_main)
            .order_by("opportunity_id", "cpvcode_id")
            .values_list("opportunity_id", "cpvcode_id")
        ):
            first_code.setdefault(opp, code)
    for company_id, opp, buyer_id, main in rows:
        history = out[company_id]
        history.awards += 1
        history.awards_by_buyer[str(buyer_id)] += 1
        code = main or first_code.get(opp)
        if code:
            history.award_cpv_codes.append(code)
    for company_id, buyer_id in _application_rows(company_ids):
        history = out[company_id]
        history.applications += 1
        history.applications_by_buyer[str(buyer_id)] += 1
    return out


def _city_places(cities: Iterable[str]) -> dict[str, Place]:
    """Municipalities by name (the company's home town counts as a region it serves)."""
    names = {c.strip() for c in cities if c and c.strip()}
    if not names:
        return {}
    regions = Region.objects.filter(kind=Region.Kind.MUNICIPALITY, label_nl__in=names)
    return {r.label_nl.casefold(): place_of(r) for r in regions}


def _feedback_facts(company_id: int) -> tuple[FeedbackFact, ...]:
    rows = list(
        MatchFeedback.objects.filter(company_id=company_id).values_list(
            "opportunity_id", "is_relevant", "opportunity__buyer_id"
        )
    )
    if not rows:
        return ()
    ids = [r[0] for r in rows]
    divisions: dict[int, set[str]] = defaultdict(set)
    for opp, division in Opportunity.cpv_codes.through.objects.filter(
        opportunity_id__in=ids
    ).values_list("opportunity_id", "cpvcode__division"):
        divisions[opp].add(division)
    competencies: dict[int, set[str]] = defaultdict(set)
    for opp, slug in Opportunity.competencies.through.objects.filter(
        opportunity_id__in=ids
    ).values_list("opportunity_id", "competency__slug"):
        competencies[opp].add(slug)
    return tuple(
        FeedbackFact(
            opportunity_id=opp,
            is_relevant=relevant,
            buyer=str(buyer),
            divisions=frozenset(divisions[opp]),
            competencies=frozenset(competencies[opp]),
        )
        for opp, relevant, buyer in rows
    )


def company_facts(
    profiles: Sequence[CompanyProfile], reference: Reference, *, feedback_for: int | None = None
) -> list[CompanyFacts]:
    """Facts of profiles loaded with _profiles_load, plus history (and the feedback of
    company `feedback_for`), in a fixed number of queries."""
    org_ids = [p.organisation_id for p in profiles]
    histories = _histories(org_ids)
    cities = _city_places(p.organisation.city for p in profiles)
    feedback = _feedback_facts(feedback_for) if feedback_for else ()
    out = []
    for p in profiles:
        org = p.organisation
        places = {r.code: place_of(r) for r in p.regions.all()}
        home = cities.get(org.city.strip().casefold()) if org.city else None
        if home is not None:
            places.setdefault(home.code, home)
        out.append(
            CompanyFacts(
                id=org.pk,
                name=org.name,
                size_class=org.size_class,
                competencies={
                    reference.slug_by_id[cc.competency_id]: cc.level
                    for cc in p.competency_levels.all()
                    if cc.competency_id in reference.slug_by_id
                },
                cpv_codes=tuple(sorted(c.code for c in p.cpv_interests.all())),
                cpv_labels={c.code: c.label for c in p.cpv_interests.all()},
                places=tuple(places.values()),
                text=_stored_text(p),
                languages=tuple(p.languages or ()),
                trl=p.trl,
                history=histories.get(org.pk, History()),
                feedback=feedback if org.pk == feedback_for else (),
            )
        )
    return out


# -- Results ------------------------------------------------------------------------------------


@dataclass
class OpportunityMatch:
    """One row of "For you"."""

    opportunity: Opportunity
    match: Match
    reasons: list[str] = field(default_factory=list)
    feedback: bool | None = None

    @property
    def score(self) -> int:
        return self.match.score


@dataclass
class CompanyMatch:
    """One suggested company for an opportunity."""

    company: Organisation
    profile: CompanyProfile
    match: Match
    reasons: list[str] = field(default_factory=list)
    invited: bool = False

    @property
    def score(self) -> int:
        return self.match.score


def match_reasons(
    match: Match,
    *,
    audience: str = "company",
    reference: Reference | None = None,
    language: str | None = None,
) -> list[str]:
    """The reasons in words, in `language` (default: the active one)."""
    reference = reference or reference_load()
    if language:
        with translation.override(language):
            return matching.explain(match, reference.taxonomy, audience=audience)
    return matching.explain(match, reference.taxonomy, audience=audience)


def match_reasons_for_language(invitation, language: str) -> list[str]:
    """An invitation's reasons, recomputed in the recipient's language."""
    match = match_for_pair(
        company=invitation.company, opportunity=invitation.opportunity, with_feedback=False
    )
    if match is None:
        return list(invitation.reasons or [])
    return match_reasons(match, audience="company", language=language)


# -- For you: one company, many opportunities ---------------------------------------------------


def _company_profile(company: Organisation) -> CompanyProfile | None:
    found = _profiles_load(CompanyProfile.objects.filter(organisation=company))
    return found[0] if found else None


def _opportunity_candidates(
    facts: CompanyFacts, reference: Reference, *, now: dt.datetime, limit: int
) -> list[int]:
    """Open opportunities that share a competency (or its parent or child), a CPV division, or
    a buyer the company won from or liked: three indexed queries, each capped."""
    base = Opportunity.objects.open(now)
    if facts.size_class == "large":
        base = base.exclude(is_sme_suitable=True)
    ids: dict[int, None] = {}
    slugs = reference.taxonomy.related(facts.competencies)
    if slugs:
        for pk in (
            base.filter(competencies__in=reference.ids(slugs))
            .values("pk")
            .annotate(overlap=Count("competencies"))
            .order_by("-overlap", "-published_at", "-pk")
            .values_list("pk", flat=True)[:limit]
        ):
            ids[pk] = None
    divisions = {matching.cpv_significant(c)[:2] for c in facts.cpv_codes}
    if divisions:
        groups = {matching.cpv_significant(c)[:3] for c in facts.cpv_codes}
        same_group = Q()
        for group in groups:
            same_group |= Q(cpv_codes__code__startswith=group)
        for pk in (
            base.filter(cpv_codes__division__in=divisions)
            .values("pk")
            .annotate(overlap=Count("cpv_codes", filter=same_group), shared=Count("cpv_codes"))
            .order_by("-overlap", "-shared", "-published_at", "-pk")
            .values_list("pk", flat=True)[:limit]
        ):
            ids[pk] = None
    buyers = {int(b) for b in facts.history.awards_by_buyer}
    buyers |= {int(f.buyer) for f in facts.feedback if f.is_relevant and f.buyer}
    if buyers:
        for pk in (
            base.filter(buyer_id__in=buyers)
            .order_by("-published_at", "-pk")
            .values_list("pk", flat=True)[:limit]
        ):
            ids[pk] = None
    return list(ids)


def matches_for_company(
    *,
    company: Organisation,
    now: dt.datetime | None = None,
    limit: int | None = None,
    include_dismissed: bool = False,
    reference: Reference | None = None,
) -> list[OpportunityMatch]:
    """Open opportunities of all four kinds for `company`, best first, each with its score and
    reasons. Ineligible ones are left out, and so are ones the company marked not relevant
    (unless `include_dismissed`). Empty when the company has no profile yet."""
    now = now or clock.now()
    reference = reference or reference_load()
    profile = _company_profile(company)
    if profile is None:
        return []
    (facts,) = company_facts([profile], reference, feedback_for=company.pk)
    ids = _opportunity_candidates(facts, reference, now=now, limit=WEIGHTS.candidates)
    if not ids:
        return []
    opportunities = _opportunities_load(ids)
    opp_facts = [opportunity_facts(o) for o in opportunities]
    context = Context(
        taxonomy=reference.taxonomy,
        text_stats=CorpusStats.of(f.text.terms for f in opp_facts),
        text_from_company=True,
    )
    by_id = {o.pk: o for o in opportunities}
    feedback = {f.opportunity_id: f.is_relevant for f in facts.feedback}
    results = []
    for match in matching.rank(matching.score(of, facts, context) for of in opp_facts):
        if feedback.get(match.opportunity_id) is False and not include_dismissed:
            continue
        results.append(
            OpportunityMatch(
                opportunity=by_id[match.opportunity_id],
                match=match,
                reasons=matching.explain(match, reference.taxonomy, audience="company"),
                feedback=feedback.get(match.opportunity_id),
            )
        )
    return results[:limit] if limit else results


# -- Suggested companies: one opportunity, many companies ----------------------------------------


def _company_candidates(
    facts: OpportunityFacts,
    reference: Reference,
    *,
    public_only: bool,
    limit: int,
    exclude: Sequence[int] = (),
) -> list[int]:
    """Profiles that share a competency (or its parent or child) or a CPV division with the
    opportunity, or whose company won from its buyer before: indexed queries, each capped."""
    base = CompanyProfile.objects.filter(organisation__kind=Organisation.Kind.COMPANY)
    if public_only:
        base = base.filter(is_public=True)
    if exclude:
        base = base.exclude(organisation_id__in=exclude)
    if facts.eligible_sizes:
        base = base.filter(
            Q(organisation__size_class__in=facts.eligible_sizes) | Q(organisation__size_class="")
        )
    if facts.is_sme_suitable:
        base = base.exclude(organisation__size_class="large")
    ids: dict[int, None] = {}
    slugs = reference.taxonomy.related(facts.competencies)
    if slugs:
        exact = reference.ids(facts.competencies)
        for pk in (
            base.filter(competency_levels__competency_id__in=reference.ids(slugs))
            .values("pk")
            .annotate(
                exact=Count(
                    "competency_levels", filter=Q(competency_levels__competency_id__in=exact)
                ),
                related=Count("competency_levels"),
            )
            .order_by("-exact", "-related", "pk")
            .values_list("pk", flat=True)[:limit]
        ):
            ids[pk] = None
    divisions = {matching.cpv_significant(c)[:2] for c in facts.cpv_codes}
    if divisions:
        same_group = Q()
        for group in {matching.cpv_significant(c)[:3] for c in facts.cpv_codes}:
            same_group |= Q(cpv_interests__code__startswith=group)
        for pk in (
            base.filter(cpv_interests__division__in=divisions)
            .values("pk")
            .annotate(
                overlap=Count("cpv_interests", filter=same_group), shared=Count("cpv_interests")
            )
            .order_by("-overlap", "-shared", "pk")
            .values_list("pk", flat=True)[:limit]
        ):
            ids[pk] = None
    if facts.buyer:
        for pk in (
            base.filter(
                organisation__awards_won__opportunity__buyer_id=int(facts.buyer),
                organisation__awards_won__is_awarded=True,
            )
            .values("pk")
            .annotate(n=Count("organisation__awards_won"))
            .order_by("-n", "pk")
            .values_list("pk", flat=True)[:limit]
        ):
            ids[pk] = None
    return list(ids)


def matches_for_opportunity(
    *,
    opportunity: Opportunity,
    public_only: bool = True,
    min_score: int = 0,
    limit: int | None = None,
    exclude_company_ids: Sequence[int] = (),
    reference: Reference | None = None,
    audience: str = "buyer",
) -> list[CompanyMatch]:
    """Companies for `opportunity`, best first, with score and reasons (worded for the buyer,
    or for the company with audience="company"). `public_only` keeps to companies that opted
    in to a public page (what buyers see); alerts use all companies."""
    reference = reference or reference_load()
    facts = opportunity_facts(_opportunities_load([opportunity.pk])[0])
    ids = _company_candidates(
        facts,
        reference,
        public_only=public_only,
        limit=WEIGHTS.candidates,
        exclude=exclude_company_ids,
    )
    if not ids:
        return []
    profiles = _profiles_load(CompanyProfile.objects.filter(pk__in=ids))
    companies = company_facts(profiles, reference)
    context = Context(
        taxonomy=reference.taxonomy,
        text_stats=CorpusStats.of(c.text.terms for c in companies),
        cpv_stats=matching.CpvStats.of(c.cpv_codes for c in companies),
    )
    by_org = {p.organisation_id: p for p in profiles}
    results = []
    for match in matching.rank(matching.score(facts, c, context) for c in companies):
        if match.score < min_score:
            continue
        profile = by_org[match.company_id]
        results.append(
            CompanyMatch(
                company=profile.organisation,
                profile=profile,
                match=match,
                reasons=matching.explain(match, reference.taxonomy, audience=audience),
            )
        )
    return results[:limit] if limit else results


def matching_companies_for_opportunity(
    *, opportunity_id: int, min_score: int | None = None, limit: int | None = None
) -> list[CompanyMatch]:
    """For alerts: every company (public page or not) whose match with the opportunity scores
    at least `min_score` (default WEIGHTS.threshold), best first, reasons worded for the
    company. Empty when the opportunity does not exist."""
    found = _opportunities_load([opportunity_id])
    if not found:
        return []
    return matches_for_opportunity(
        opportunity=found[0],
        public_only=False,
        min_score=WEIGHTS.threshold if min_score is None else min_score,
        limit=limit,
        audience="company",
    )


def match_for_pair(
    *, company: Organisation, opportunity: Opportunity, with_feedback: bool = True
) -> Match | None:
    """The match of one company with one opportunity, scored against the same pool as "For
    you" shows it when it is there (so the numbers agree), else on its own. None without a
    profile."""
    reference = reference_load()
    if with_feedback and opportunity.is_open():
        for row in matches_for_company(
            company=company, include_dismissed=True, reference=reference
        ):
            if row.opportunity.pk == opportunity.pk:
                return row.match
    profile = _company_profile(company)
    if profile is None:
        return None
    (facts,) = company_facts(
        [profile], reference, feedback_for=company.pk if with_feedback else None
    )
    opp = _opportunities_load([opportunity.pk])[0]
    return matching.score(opportunity_facts(opp), facts, Context(taxonomy=reference.taxonomy))


# -- Partners -----------------------------------------------------------------------------------


@dataclass
class Partner:
    company: Organisation
    profile: CompanyProfile
    covers: list[str]
    covers_labels: list[str]
    score: int
    reasons: list[str]


@dataclass
class PartnerSuggestions:
    missing: list[str]
    missing_labels: list[str]
    partners: list[Partner]


def partner_suggestions(
    *, company: Organisation, opportunity: Opportunity, limit: int = 5
) -> PartnerSuggestions:
    """When `company` covers only part of the opportunity's competencies, companies (with a
    public page, eligible themselves) that cover the rest, most of the rest first."""
    reference = reference_load()
    taxonomy = reference.taxonomy
    profile = _company_profile(company)
    opp = _opportunities_load([opportunity.pk])[0]
    facts = opportunity_facts(opp)
    own = company_facts([profile], reference)[0].competencies if profile else {}
    _value, _exact, _partial, missing, _per = matching.competency_fit(
        facts.competencies, own, taxonomy
    )
    labels = [matching.lower_first(taxonomy.label(s)) for s in missing]
    if not missing:
        return PartnerSuggestions(missing=[], missing_labels=[], partners=[])
    wanted = taxonomy.related(missing)
    base = CompanyProfile.objects.filter(is_public=True).exclude(organisation=company)
    ids = list(
        base.filter(competency_levels__competency_id__in=reference.ids(wanted))
        .values("pk")
        .annotate(n=Count("competency_levels"))
        .order_by("-n", "pk")
        .values_list("pk", flat=True)[: WEIGHTS.candidates]
    )
    profiles = _profiles_load(CompanyProfile.objects.filter(pk__in=ids))
    others = company_facts(profiles, reference)
    context = Context(
        taxonomy=taxonomy,
        text_stats=CorpusStats.of(c.text.terms for c in others) if others else None,
    )
    by_org = {p.organisation_id: p for p in profiles}
    scored = []
    for other in others:
        _v, _e, _p, _m, per = matching.competency_fit(missing, other.competencies, taxonomy)
        covers = [s for s in missing if per.get(s, 0) >= WEIGHTS.competency_covered]
        if not covers:
            continue
        match = matching.score(facts, other, context)
        if not match.eligible:
            continue
        scored.append((len(covers), sum(per.values()), match.exact, other, covers, match))
    scored.sort(key=lambda s: (-s[0], -s[1], -s[2], s[3].id))
    partners = []
    for _n, _fit, _exact, other, covers, match in scored[:limit]:
        covers_labels = [matching.lower_first(taxonomy.label(s)) for s in covers]
        reasons = [
            translation.gettext("Covers %(list)s, which you do not")
            % {"list": matching.join_and(covers_labels)}
        ]
        reasons += matching.explain(match, taxonomy, audience="buyer", skip=("competency",))[:2]
        partners.append(
            Partner(
                company=by_org[other.id].organisation,
                profile=by_org[other.id],
                covers=covers,
                covers_labels=covers_labels,
                score=match.score,
                reasons=reasons,
            )
        )
    return PartnerSuggestions(missing=missing, missing_labels=labels, partners=partners)


# -- Market scan --------------------------------------------------------------------------------


@dataclass
class CompetencySupply:
    slug: str
    label: str
    companies: int
    is_rare: bool


@dataclass
class MarketScan:
    matching: int
    capped: bool
    competencies: list[CompetencySupply]


def market_scan(*, opportunity: Opportunity) -> MarketScan:
    """For a buyer drafting `opportunity`: how many companies (all, public page or not) match
    it so far with at least WEIGHTS.threshold, and how many companies claim each of its
    competencies (or one below it), marking the rare ones."""
    reference = reference_load()
    taxonomy = reference.taxonomy
    opp = _opportunities_load([opportunity.pk])[0]
    facts = opportunity_facts(opp)
    found = matches_for_opportunity(
        opportunity=opportunity,
        public_only=False,
        min_score=WEIGHTS.threshold,
        reference=reference,
    )
    supply = []
    if facts.competencies:
        counts = CompanyProfile.objects.aggregate(
            **{
                f"c{i}": Count(
                    "pk",
                    filter=Q(
                        competency_levels__competency_id__in=reference.ids(
                            [slug, *taxonomy.children(slug)]
                        )
                    ),
                    distinct=True,
                )
                for i, slug in enumerate(facts.competencies)
            }
        )
        for i, slug in enumerate(facts.competencies):
            n = counts[f"c{i}"] or 0
            supply.append(
                CompetencySupply(
                    slug=slug,
                    label=taxonomy.label(slug),
                    companies=n,
                    is_rare=n < WEIGHTS.rare_companies,
                )
            )
    return MarketScan(
        matching=len(found),
        capped=len(found) >= WEIGHTS.candidates,
        competencies=supply,
    )
