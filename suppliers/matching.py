"""The matching core: how well one company fits one opportunity, from 0 to 100, and why.

Pure functions over plain facts (no database), so the product (suppliers.selectors loads the
facts with a fixed number of queries) and the benchmark (bench/matching.py builds them from
real TED awards) score with exactly the same code.

The score combines five parts, each between 0 and 1, weighted by `WEIGHTS` (see MatchWeights
and docs/matching.md):

- competency: the opportunity's competencies against the company's, knowing the taxonomy (the
  company's parent or child of an asked competency counts partly) and the company's level;
- cpv: the opportunity's CPV codes against the company's CPV interests, knowing the hierarchy
  (same category above same class above same group above same division); a match on a code
  that few companies share counts more than one on a code that many share;
- text: BM25 between the opportunity's words and the profile's (stemmed Dutch/English/...);
- region: the opportunity's regions against the regions the company serves and its home town
  (being in the same country at all counts most; nearer adds the rest; abroad nothing);
- history: earlier awards and applications (same buyer, similar CPV codes, how active).

A part the opportunity says nothing about (no competencies, no CPV codes, no regions) is left
out and the others are scaled up, so a co-creation call without CPV codes can still score 100.
Feedback on similar opportunities then adds or removes up to `feedback` points. Eligibility is a
hard filter: an ineligible pair is not a match at all (score 0, `eligible` False).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from suppliers.text import Analysed, CorpusStats, bm25


@dataclass(frozen=True)
class MatchWeights:
    """Every number that shapes a match, in one place. Change them here only.

    Part weights (points out of 100 before scaling up over the parts an opportunity has):
    competency 30, cpv 20, text 20, region 10, history 20. Feedback adds or removes at most
    15 points. Chosen on the validation split of bench/matching.py (never on its held-out
    awards) and by judgement for the parts the benchmark cannot see (competencies).
    """

    competency: float = 30.0
    cpv: float = 20.0
    text: float = 20.0
    region: float = 10.0
    history: float = 20.0
    feedback: float = 15.0

    # Competencies: the company's level (basic, experienced, expert) scales its fit.
    competency_levels: tuple[float, float, float] = (0.7, 0.85, 1.0)
    competency_parent: float = 0.5  # the company claims the parent of what is asked
    competency_child: float = 0.75  # the company claims something more specific under it
    competency_sibling: float = 0.25  # same parent
    competency_covered: float = 0.75  # from this fit an asked competency counts as covered

    # CPV: similarity by the number of digits two codes share when neither contains the other.
    cpv_depth: tuple[tuple[int, float], ...] = ((5, 0.85), (4, 0.7), (3, 0.5), (2, 0.25))
    cpv_main: float = 2.0  # the main CPV code counts this many times an additional one
    cpv_specificity: float = 1.0  # 0 turns off: how much rarely shared codes count more

    # Regions: a shared area above the two regions. Being in the same country at all is most
    # of the fit (a company abroad is rarely the one that wins: on the benchmark's validation
    # split companies abroad took 9 % of the top-10 places, but 1 winner in 454 was abroad);
    # nearer adds the rest.
    region_nuts3: float = 0.9
    region_province: float = 0.8
    region_nuts1: float = 0.7
    region_country: float = 0.6

    # Text: BM25, then 1 - exp(-bm25 / saturation) to land between 0 and 1.
    text_saturation: float = 16.0
    bm25_k1: float = 1.2
    bm25_b: float = 0.75

    # History: shares of the history part.
    history_buyer: float = 0.45  # earlier awards (and applications, half) from this buyer
    history_cpv: float = 0.35  # earlier awards with similar CPV codes
    history_cpv_digits: int = 3  # "similar": sharing at least this many digits (a group)
    history_activity: float = 0.2  # how many awards and applications in all
    history_activity_full: int = 20

    # Candidate generation and thresholds.
    candidates: int = 300  # at most this many per source (competency, CPV, history)
    threshold: int = 35  # a "match" for alerts and the market scan scores at least this
    rare_companies: int = 3  # a competency fewer companies than this claim is rare

    @property
    def version(self) -> str:
        """A short fingerprint stored with feedback, so evaluation knows which weights ranked."""
        import hashlib

        return hashlib.sha1(repr(self).encode(), usedforsecurity=False).hexdigest()[:10]


WEIGHTS = MatchWeights()
SME_SIZES = frozenset({"startup", "micro", "small", "medium"})


# -- Facts --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Place:
    """A region with the chain of regions above it (self first): GM0363, NL32, NL3, NL."""

    code: str
    chain: tuple[str, ...]
    label_en: str = ""
    label_nl: str = ""

    @property
    def label(self) -> str:
        return _pick(self.label_en, self.label_nl) or self.code


@dataclass(frozen=True)
class Taxonomy:
    """The competency tree: parent per slug, labels, and keywords for the profile text."""

    parent: Mapping[str, str | None]
    label_en: Mapping[str, str] = field(default_factory=dict)
    label_nl: Mapping[str, str] = field(default_factory=dict)
    keywords: Mapping[str, Sequence[str]] = field(default_factory=dict)

    def label(self, slug: str) -> str:
        return _pick(self.label_en.get(slug, ""), self.label_nl.get(slug, "")) or slug

    def children(self, slug: str) -> list[str]:
        return [s for s, p in self.parent.items() if p == slug]

    def related(self, slugs: Iterable[str]) -> set[str]:
        """The slugs, their parents and their children: what can match them at all."""
        out = set()
        for slug in slugs:
            out.add(slug)
            if self.parent.get(slug):
                out.add(self.parent[slug])
            out.update(self.children(slug))
        return out


EMPTY_TAXONOMY = Taxonomy(parent={})


@dataclass(frozen=True)
class FeedbackFact:
    """A company's earlier "relevant" / "not relevant" on an opportunity, as a pattern."""

    opportunity_id: int
    is_relevant: bool
    buyer: str
    divisions: frozenset[str]
    competencies: frozenset[str]


@dataclass
class History:
    awards_by_buyer: Counter = field(default_factory=Counter)
    award_cpv_codes: list[str] = field(default_factory=list)  # one main code per award
    awards: int = 0
    applications_by_buyer: Counter = field(default_factory=Counter)
    applications: int = 0


@dataclass
class OpportunityFacts:
    id: int
    kind: str = "tender"
    buyer: str = ""  # a key: the buyer's id on Kansen, the buyer's name in the benchmark
    buyer_name: str = ""
    competencies: tuple[str, ...] = ()
    cpv_codes: tuple[str, ...] = ()  # the main code first
    cpv_labels: Mapping[str, str] = field(default_factory=dict)
    places: tuple[Place, ...] = ()
    text: Analysed = field(default_factory=Analysed)
    is_sme_suitable: bool = False
    is_first_timer_friendly: bool = False
    eligible_sizes: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    trl_min: int | None = None
    trl_max: int | None = None


@dataclass
class CompanyFacts:
    id: int
    name: str = ""
    size_class: str = ""
    competencies: Mapping[str, int] = field(default_factory=dict)  # slug -> level 1..3
    cpv_codes: tuple[str, ...] = ()
    cpv_labels: Mapping[str, str] = field(default_factory=dict)
    places: tuple[Place, ...] = ()
    text: Analysed = field(default_factory=Analysed)
    languages: tuple[str, ...] = ()
    trl: int | None = None
    history: History = field(default_factory=History)
    feedback: tuple[FeedbackFact, ...] = ()


@dataclass(frozen=True)
class CpvStats:
    """How many companies (of `documents`) have an interest under each CPV prefix."""

    documents: int
    frequency: Mapping[str, int]

    @classmethod
    def of(cls, code_sets: Iterable[Iterable[str]]) -> CpvStats:
        frequency: Counter = Counter()
        n = 0
        for codes in code_sets:
            n += 1
            prefixes = set()
            for code in codes:
                p = cpv_significant(code)
                prefixes.update(p[:length] for length in range(2, len(p) + 1))
            frequency.update(prefixes)
        return cls(documents=n, frequency=frequency)

    def idf(self, prefix: str) -> float:
        return math.log(1 + self.documents / (1 + self.frequency.get(prefix, 0)))


@dataclass
class Context:
    """What scoring needs besides the pair: the taxonomy and the statistics of the pool."""

    taxonomy: Taxonomy = EMPTY_TAXONOMY
    text_stats: CorpusStats | None = None
    cpv_stats: CpvStats | None = None
    weights: MatchWeights = WEIGHTS
    text_from_company: bool = False  # True: the profile is the query, the opportunity the document


# -- Result -------------------------------------------------------------------------------------


@dataclass
class Match:
    opportunity_id: int
    company_id: int
    score: int
    eligible: bool = True
    exact: float = 0.0  # the unrounded score, to order ties
    parts: dict[str, float] = field(default_factory=dict)
    competency_exact: list[str] = field(default_factory=list)
    competency_partial: list[tuple[str, str]] = field(default_factory=list)  # (asked, offered)
    competency_missing: list[str] = field(default_factory=list)
    cpv_best: tuple[str, str, float] | None = None  # (asked, offered, similarity)
    place: tuple[Place, Place, float] | None = None  # (asked, offered, fit)
    shared_words: list[str] = field(default_factory=list)
    history: dict[str, int] = field(default_factory=dict)
    positives: list[str] = field(default_factory=list)  # eligibility notes: codes
    blockers: list[str] = field(default_factory=list)
    feedback: float = 0.0
    feedback_direct: bool | None = None
    buyer_name: str = ""
    cpv_labels: Mapping[str, str] = field(default_factory=dict)


# -- Parts --------------------------------------------------------------------------------------


def cpv_significant(code: str) -> str:
    """The digits that matter: 72200000 gives 722 (as marketplace.core.selectors.cpv_prefix)."""
    digits = code.split("-")[0].strip()
    significant = digits.rstrip("0")
    return significant if len(significant) >= 2 else digits[:2]


def cpv_similarity(asked: str, offered: str, weights: MatchWeights = WEIGHTS) -> tuple[float, int]:
    """Similarity of two CPV codes and the number of significant digits they share. One code
    inside the other (72000000 and 72200000) is a full match."""
    a, o = cpv_significant(asked), cpv_significant(offered)
    shared = 0
    for x, y in zip(a, o, strict=False):
        if x != y:
            break
        shared += 1
    if shared == min(len(a), len(o)):
        return 1.0, shared
    for depth, value in weights.cpv_depth:
        if shared >= depth:
            return value, shared
    return 0.0, shared


def cpv_fit(
    asked: Sequence[str],
    offered: Sequence[str],
    *,
    stats: CpvStats | None = None,
    weights: MatchWeights = WEIGHTS,
) -> tuple[float, tuple[str, str, float] | None]:
    """Average over the asked codes (the main one counting `cpv_main` times) of the best
    similarity to an offered code, times how specific the shared part is."""
    if not asked or not offered:
        return 0.0, None
    total = weight_sum = 0.0
    best: tuple[str, str, float] | None = None
    for i, code in enumerate(asked):
        w = weights.cpv_main if i == 0 else 1.0
        weight_sum += w
        top = 0.0
        for other in offered:
            value, shared = cpv_similarity(code, other, weights)
            if not value:
                continue
            if stats is not None and weights.cpv_specificity:
                a = cpv_significant(code)
                full = stats.idf(a)
                if full > 0:
                    value *= (stats.idf(a[: max(shared, 2)]) / full) ** weights.cpv_specificity
            if value > top:
                top = value
                if best is None or value > best[2]:
                    best = (code, other, value)
        total += w * top
    return total / weight_sum, best


def competency_fit(
    asked: Sequence[str],
    offered: Mapping[str, int],
    taxonomy: Taxonomy,
    weights: MatchWeights = WEIGHTS,
) -> tuple[float, list[str], list[tuple[str, str]], list[str], dict[str, float]]:
    """Mean over the asked competencies of the best fit among the company's, with the exact
    ones, the partial ones (asked, offered), the missing ones, and the fit per asked one."""
    if not asked:
        return 0.0, [], [], [], {}
    exact, partial, missing = [], [], []
    per: dict[str, float] = {}
    for slug in asked:
        best, via = 0.0, None
        for other, level in offered.items():
            factor = weights.competency_levels[max(1, min(3, level or 1)) - 1]
            if other == slug:
                value = 1.0
            elif taxonomy.parent.get(slug) == other:
                value = weights.competency_parent
            elif taxonomy.parent.get(other) == slug:
                value = weights.competency_child
            elif taxonomy.parent.get(slug) and taxonomy.parent.get(slug) == taxonomy.parent.get(
                other
            ):
                value = weights.competency_sibling
            else:
                continue
            value *= factor
            if value > best:
                best, via = value, other
        per[slug] = best
        if via == slug:
            exact.append(slug)
        elif via is not None and best >= weights.competency_sibling:
            partial.append((slug, via))
        if best < weights.competency_covered:
            missing.append(slug)
    return sum(per.values()) / len(asked), exact, partial, missing, per


def shared_area(a: Place, b: Place) -> str | None:
    """The smallest area that holds both places (a country at most), None when there is none."""
    return next((c for c in a.chain if c in b.chain), None)


def region_fit(
    asked: Sequence[Place], offered: Sequence[Place], weights: MatchWeights = WEIGHTS
) -> tuple[float, tuple[Place, Place, float] | None]:
    """The best fit of any asked region with any region the company serves: inside one
    another 1.0, else by the smallest area above both (NUTS 3, province, NUTS 1, country);
    a company only abroad 0."""
    best: tuple[Place, Place, float] | None = None
    for a in asked:
        for o in offered:
            if o.code in a.chain or a.code in o.chain:
                value = 1.0
            else:
                shared = shared_area(a, o)
                if shared is None:
                    continue
                value = {
                    5: weights.region_nuts3,
                    4: weights.region_province,
                    3: weights.region_nuts1,
                }.get(len(shared), weights.region_country)
            if best is None or value > best[2]:
                best = (a, o, value)
    return (best[2] if best else 0.0), best


def text_fit(
    query: Analysed,
    document: Analysed,
    stats: CorpusStats | None,
    weights: MatchWeights = WEIGHTS,
) -> tuple[float, list[str]]:
    """BM25 of the document for the query's words, squashed to 0..1, and up to three shared
    words as the query wrote them (most telling first; words most documents have are left
    out of the words, not of the score)."""
    if not query.terms or not document.terms:
        return 0.0, []
    stats = stats or CorpusStats.of([document.terms])
    raw, parts = bm25(
        query.terms.keys(), document.terms, stats, k1=weights.bm25_k1, b=weights.bm25_b
    )
    telling = [
        term
        for term, _gain in parts
        if stats.documents < 4 or stats.document_frequency.get(term, 0) * 2 <= stats.documents
    ]
    words = [query.surface.get(term, term) for term in telling[:3]]
    return 1 - math.exp(-raw / weights.text_saturation), words


def history_fit(
    opportunity: OpportunityFacts, history: History, weights: MatchWeights = WEIGHTS
) -> tuple[float, dict[str, int]]:
    """Earlier awards and applications: from this buyer, with similar CPV codes, in all."""
    facts: dict[str, int] = {}
    buyer_awards = history.awards_by_buyer.get(opportunity.buyer, 0) if opportunity.buyer else 0
    buyer_applications = (
        history.applications_by_buyer.get(opportunity.buyer, 0) if opportunity.buyer else 0
    )
    buyer = 1 - 0.5 ** (buyer_awards + 0.5 * buyer_applications)
    similar = 0.0
    similar_count = 0
    if opportunity.cpv_codes:
        main = opportunity.cpv_codes[0]
        for code in history.award_cpv_codes:
            value, shared = cpv_similarity(main, code, weights)
            if shared >= weights.history_cpv_digits:
                similar += value
                similar_count += 1
    cpv = 1 - 0.5**similar
    active = history.awards + history.applications
    activity = min(1.0, math.log1p(active) / math.log1p(weights.history_activity_full))
    if buyer_awards:
        facts["buyer_awards"] = buyer_awards
    if buyer_applications:
        facts["buyer_applications"] = buyer_applications
    if similar_count:
        facts["similar_awards"] = similar_count
    score = weights.history_buyer * buyer + weights.history_cpv * cpv
    score += weights.history_activity * activity
    return score, facts


def eligibility(
    opportunity: OpportunityFacts, company: CompanyFacts
) -> tuple[list[str], list[str]]:
    """Hard rules. Returns (positives, blockers) as codes; any blocker means no match.

    Blockers: a size not among the call's eligible sizes; a large company on an SME-suitable
    opportunity; a technology readiness outside a test location's range; no shared language
    (when both name languages). Unknown facts (no size, no TRL) do not block.
    """
    positives, blockers = [], []
    size = company.size_class
    if opportunity.eligible_sizes and size:
        if size not in opportunity.eligible_sizes:
            blockers.append("size")
        elif size == "startup":
            positives.append("startups")
        else:
            positives.append("size")
    if opportunity.is_sme_suitable:
        if size == "large":
            blockers.append("sme")
        elif size in SME_SIZES and "startups" not in positives:
            positives.append("sme")
    if company.trl is not None and (
        (opportunity.trl_min is not None and company.trl < opportunity.trl_min)
        or (opportunity.trl_max is not None and company.trl > opportunity.trl_max)
    ):
        blockers.append("trl")
    if (
        opportunity.languages
        and company.languages
        and not set(opportunity.languages) & set(company.languages)
    ):
        blockers.append("language")
    if opportunity.is_first_timer_friendly and not company.history.awards:
        positives.append("first_timer")
    return positives, blockers


def feedback_adjustment(
    opportunity: OpportunityFacts, feedback: Sequence[FeedbackFact]
) -> tuple[float, bool | None]:
    """Between -1 and 1: how much this opportunity resembles ones the company marked relevant
    (+) or not relevant (-): same buyer 0.4, a shared CPV division 0.3, shared competencies up
    to 0.3. Feedback on this very opportunity counts fully; it is returned as the second value."""
    if not feedback:
        return 0.0, None
    divisions = {cpv_significant(c)[:2] for c in opportunity.cpv_codes}
    competencies = set(opportunity.competencies)
    total = 0.0
    direct = None
    for f in feedback:
        sign = 1.0 if f.is_relevant else -1.0
        if f.opportunity_id == opportunity.id:
            direct = f.is_relevant
            total += sign
            continue
        similarity = 0.4 * (bool(f.buyer) and f.buyer == opportunity.buyer)
        similarity += 0.3 * bool(divisions & f.divisions)
        union = competencies | f.competencies
        if union:
            similarity += 0.3 * len(competencies & f.competencies) / len(union)
        total += sign * similarity
    return max(-1.0, min(1.0, total)), direct


# -- The score ----------------------------------------------------------------------------------


def score(opportunity: OpportunityFacts, company: CompanyFacts, context: Context) -> Match:
    """Score one pair. See the module docstring for the parts; `context` holds the taxonomy,
    the pool statistics and the weights."""
    w = context.weights
    match = Match(
        opportunity_id=opportunity.id,
        company_id=company.id,
        score=0,
        buyer_name=opportunity.buyer_name,
        cpv_labels={**company.cpv_labels, **opportunity.cpv_labels},
    )
    match.positives, match.blockers = eligibility(opportunity, company)
    if match.blockers:
        match.eligible = False
        return match

    weighted = available = 0.0
    if opportunity.competencies:
        value, match.competency_exact, match.competency_partial, match.competency_missing, _ = (
            competency_fit(opportunity.competencies, company.competencies, context.taxonomy, w)
        )
        match.parts["competency"] = value
        weighted += w.competency * value
        available += w.competency
    if opportunity.cpv_codes:
        value, match.cpv_best = cpv_fit(
            opportunity.cpv_codes, company.cpv_codes, stats=context.cpv_stats, weights=w
        )
        match.parts["cpv"] = value
        weighted += w.cpv * value
        available += w.cpv
    if opportunity.places:
        value, match.place = region_fit(opportunity.places, company.places, w)
        match.parts["region"] = value
        weighted += w.region * value
        available += w.region
    if opportunity.text.terms:
        if context.text_from_company:
            value, match.shared_words = text_fit(
                company.text, opportunity.text, context.text_stats, w
            )
        else:
            value, match.shared_words = text_fit(
                opportunity.text, company.text, context.text_stats, w
            )
        match.parts["text"] = value
        weighted += w.text * value
        available += w.text
    value, match.history = history_fit(opportunity, company.history, w)
    match.parts["history"] = value
    weighted += w.history * value
    available += w.history

    base = 100 * weighted / available if available else 0.0
    match.feedback, match.feedback_direct = feedback_adjustment(opportunity, company.feedback)
    exact = base + w.feedback * match.feedback
    match.exact = max(0.0, min(100.0, exact))
    match.score = round(match.exact)
    return match


def rank(matches: Iterable[Match]) -> list[Match]:
    """Eligible matches, best first (ties: the unrounded score, then the lower id)."""
    return sorted(
        (m for m in matches if m.eligible),
        key=lambda m: (-m.exact, m.opportunity_id, m.company_id),
    )


# -- Reasons in words ---------------------------------------------------------------------------


def _pick(en: str, nl: str) -> str:
    return en if (get_language() or "nl").startswith("en") else (nl or en)


def lower_first(text: str) -> str:
    if len(text) > 1 and text[0].isupper() and not text[1].isupper():
        return text[0].lower() + text[1:]
    return text


def join_and(items: Sequence[str]) -> str:
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return _("%(first)s and %(last)s") % {"first": ", ".join(items[:-1]), "last": items[-1]}


def _cpv_text(code: str, labels: Mapping[str, str]) -> str:
    label = labels.get(code, "")
    return f"{code} ({label})" if label else code


def explain(
    match: Match, taxonomy: Taxonomy, *, audience: str = "company", skip: Sequence[str] = ()
) -> list[str]:
    """The reasons for a match in plain words, most important first, for the company
    ("Matches your competencies ...") or for the buyer ("Has the competencies ..."). `skip`
    leaves parts out (e.g. "competency")."""
    for_company = audience == "company"
    reasons: list[str] = []
    if not match.eligible:
        return [_blocker_text(code, for_company) for code in match.blockers]

    if match.feedback_direct is True:
        reasons.append(_("You marked this relevant"))
    if match.competency_exact and "competency" not in skip:
        labels = [lower_first(taxonomy.label(s)) for s in match.competency_exact]
        if for_company:
            text = ngettext(
                "Matches your competency %(list)s",
                "Matches your competencies %(list)s",
                len(labels),
            )
        else:
            text = ngettext(
                "Has the competency %(list)s", "Has the competencies %(list)s", len(labels)
            )
        reasons.append(text % {"list": join_and(labels)})
    if match.competency_partial and "competency" not in skip:
        asked = join_and([lower_first(taxonomy.label(a)) for a, _o in match.competency_partial])
        offered = join_and(
            [
                lower_first(taxonomy.label(o))
                for o in dict.fromkeys(o for _a, o in match.competency_partial)
            ]
        )
        if for_company:
            text = _("Asks for %(asked)s, close to your %(offered)s")
        else:
            text = _("Has %(offered)s, close to %(asked)s")
        reasons.append(text % {"asked": asked, "offered": offered})
    if match.place:
        asked, offered, value = match.place
        if value >= 1.0:
            inner = asked if offered.code in asked.chain else offered
            if for_company:
                reasons.append(_("In %(region)s") % {"region": inner.label})
            else:
                reasons.append(_("Works in %(region)s") % {"region": inner.label})
        elif value > 0 and shared_area(asked, offered) == asked.chain[-1]:
            # Only the country is shared: not "near", but not abroad either.
            if for_company:
                reasons.append(
                    _("In %(region)s, in the same country as %(yours)s")
                    % {"region": asked.label, "yours": offered.label}
                )
            else:
                reasons.append(
                    _("Works in %(theirs)s, in the same country as %(region)s")
                    % {"region": asked.label, "theirs": offered.label}
                )
        elif value > 0:
            if for_company:
                reasons.append(
                    _("Near your region: %(region)s, close to %(yours)s")
                    % {"region": asked.label, "yours": offered.label}
                )
            else:
                reasons.append(
                    _("Works near %(region)s, in %(theirs)s")
                    % {"region": asked.label, "theirs": offered.label}
                )
    for code in match.positives:
        if for_company or code != "first_timer":
            reasons.append(_positive_text(code, for_company))
    if match.cpv_best:
        asked, offered, value = match.cpv_best
        if value >= 0.85:
            text = (
                _("Fits your CPV interest %(cpv)s")
                if for_company
                else _("Interested in CPV %(cpv)s")
            )
            reasons.append(text % {"cpv": _cpv_text(offered, match.cpv_labels)})
        elif value >= 0.2:
            text = (
                _("Related to your CPV interest %(cpv)s")
                if for_company
                else _("Interested in the related CPV %(cpv)s")
            )
            reasons.append(text % {"cpv": _cpv_text(offered, match.cpv_labels)})
    if match.shared_words and match.parts.get("text", 0) >= 0.05:
        words = join_and(match.shared_words)
        if for_company:
            reasons.append(_("Mentions %(words)s, as your profile does") % {"words": words})
        else:
            reasons.append(_("Their profile mentions %(words)s") % {"words": words})
    awards = match.history.get("buyer_awards", 0)
    if awards:
        if for_company:
            text = ngettext(
                "You won %(n)d earlier contract from %(buyer)s",
                "You won %(n)d earlier contracts from %(buyer)s",
                awards,
            )
        else:
            text = ngettext(
                "Won %(n)d earlier contract from %(buyer)s",
                "Won %(n)d earlier contracts from %(buyer)s",
                awards,
            )
        reasons.append(text % {"n": awards, "buyer": match.buyer_name})
    applications = match.history.get("buyer_applications", 0)
    if applications and for_company:
        reasons.append(
            ngettext(
                "You applied to %(buyer)s %(n)d time before",
                "You applied to %(buyer)s %(n)d times before",
                applications,
            )
            % {"n": applications, "buyer": match.buyer_name}
        )
    similar = match.history.get("similar_awards", 0)
    if similar:
        text = (
            ngettext(
                "You won %(n)d contract with similar CPV codes",
                "You won %(n)d contracts with similar CPV codes",
                similar,
            )
            if for_company
            else ngettext(
                "Won %(n)d contract with similar CPV codes",
                "Won %(n)d contracts with similar CPV codes",
                similar,
            )
        )
        reasons.append(text % {"n": similar})
    if for_company and match.feedback_direct is None:
        if match.feedback >= 0.2:
            reasons.append(_("Like opportunities you marked relevant"))
        elif match.feedback <= -0.2:
            reasons.append(_("Like opportunities you marked not relevant"))
    return reasons


def reasons_sentence(reasons: Sequence[str]) -> str:
    """One line: "Matches your competencies ...; in Groot-Amsterdam; open to start-ups"."""
    return "; ".join(r if i == 0 else lower_first(r) for i, r in enumerate(reasons))


def _positive_text(code: str, for_company: bool) -> str:
    if code == "startups":
        return (
            _("Open to start-ups") if for_company else _("A start-up, which this call is open to")
        )
    if code == "size":
        return (
            _("Open to companies of your size")
            if for_company
            else _("Of a size this call is open to")
        )
    if code == "sme":
        return _("Suitable for SMEs") if for_company else _("An SME")
    if code == "first_timer":
        return (
            _("Friendly to first-time applicants")
            if for_company
            else _("Has not won a contract on Kansen yet")
        )
    return code


def _blocker_text(code: str, for_company: bool) -> str:
    return {
        "size": _("Not open to companies of this size"),
        "sme": _("Meant for SMEs; large companies are not matched"),
        "trl": _("The technology readiness is outside the range asked"),
        "language": _("No shared language"),
    }.get(code, code)
