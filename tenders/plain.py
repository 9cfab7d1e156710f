"""Plain language on the opportunity page, built from the data (nothing here is stored):
the "in one minute" box, what you need to apply, and tips for first-timers per kind.

The tips and the usual documents are our own writing; words such as UEA and KvK-uittreksel are
linked to the glossary by the `glossary_links` filter in the template."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from tenders.models import Opportunity

Kind = Opportunity.Kind

WHAT_IT_IS = {
    Kind.TENDER: _("A contract to bid on: the buyer pays for work, a service or a product."),
    Kind.FUNDING: _("A grant or subsidy: money for your plan, which you do not pay back."),
    Kind.CO_CREATION: _(
        "A challenge: the buyer looks for a company to develop a solution together, often "
        "starting with a paid pilot."
    ),
    Kind.TEST_LOCATION: _("A place where you may try out your product in real life."),
}

# Documents and things most buyers ask for, per kind, on top of what this buyer lists.
USUALLY_NEEDED = {
    Kind.TENDER: [
        _(
            "A UEA (self-declaration that your company meets the requirements); the evidence only comes later, if you win."
        ),
        _(
            "A recent KvK-uittreksel (extract from the Chamber of Commerce, often not older than six months)."
        ),
        _("Your price, and your answers to each award criterion within the word limits."),
        _(
            "On TenderNed and other buyers' platforms you sign in with eHerkenning: arrange it early, it can take a week."
        ),
    ],
    Kind.FUNDING: [
        _("A project plan: the problem, your solution, the steps and what it brings."),
        _("A budget that shows the costs and how much you pay yourself (cofinanciering)."),
        _("Your KvK number, and for some calls a KvK-uittreksel."),
    ],
    Kind.CO_CREATION: [
        _(
            "A short proposal: how you would tackle the challenge, your team and a plan for the pilot."
        ),
        _("Something that shows what you made before: a demo, a link or a reference."),
        _("Your KvK number."),
    ],
    Kind.TEST_LOCATION: [
        _("What you want to test, and in which period."),
        _(
            "A short statement about safety and privacy: what you measure and how you protect people's data."
        ),
        _("Proof of insurance, if the location asks for it."),
    ],
}

TIPS = {
    Kind.TENDER: [
        _(
            "Read the whole tender once before you start, and ask questions before the question deadline: the answers are shared with everyone in the nota van inlichtingen."
        ),
        _(
            "Answer exactly what each award criterion asks, in the buyer's words, and stay within the word limits."
        ),
        _(
            "Too big on your own? Team up with another company and bid together as a combination (consortium)."
        ),
        _("Lost? Ask the buyer why: you learn most from the scores of your first bids."),
    ],
    Kind.FUNDING: [
        _(
            "Check first whether your company may apply: size, place and sector. It saves you writing a plan for nothing."
        ),
        _(
            "Make your budget add up, and explain what you pay yourself; reviewers read the numbers carefully."
        ),
        _("Show the impact in plain words and numbers: what changes, for whom, and when."),
        _("Start early: some calls first ask for a short idea before the full application."),
    ],
    Kind.CO_CREATION: [
        _(
            "Talk about the problem, not only about your product: the buyer wants to see you understand the challenge."
        ),
        _("Propose a small first pilot with a clear result; it is easier to say yes to."),
        _("Say who in your team does what, and how much time you can give."),
        _(
            "If the buyer intends to become launching customer, a successful pilot can lead to your first big order."
        ),
    ],
    Kind.TEST_LOCATION: [
        _(
            "Check the technology readiness (TRL) the location expects: most want a working prototype."
        ),
        _(
            "Plan power, connectivity and permits before you arrive; ask the location what is there."
        ),
        _("Agree beforehand what data you collect and who owns it."),
        _("Ask when you can start and book early: places are limited."),
    ],
}


@dataclass(frozen=True)
class OneMinute:
    """What the "in one minute" box says."""

    what: str
    what_kind: str
    who: list[str] = field(default_factory=list)
    budget_low: Decimal | None = None
    budget_high: Decimal | None = None
    budget_note: str = ""
    closes_at: dt.datetime | None = None
    on_kansen: bool = True
    source_name: str = ""
    source_url: str = ""


def _first_text(*texts: str) -> str:
    for text in texts:
        text = (text or "").strip()
        if text:
            return Truncator(" ".join(text.split())).chars(260)
    return ""


def one_minute(opportunity: Opportunity, details) -> OneMinute:
    """The essentials of an opportunity in a few lines: what is asked, for whom, the budget,
    the deadline and how to apply. `details` is the kind's details row (or None)."""
    o = opportunity
    who: list[str] = []
    if o.is_sme_suitable:
        who.append(str(_("Suitable for small and medium-sized companies.")))
    if o.is_first_timer_friendly:
        who.append(str(_("Friendly to companies that have never done this before.")))
    competencies = [c.label for c in o.competencies.all()]
    if competencies:
        who.append(
            str(_("Companies that can do: %(list)s.")) % {"list": ", ".join(competencies[:4])}
        )
    low, high, note = o.budget_min, o.budget_max, ""
    if o.kind == Kind.FUNDING and details is not None:
        if details.amount_min or details.amount_max:
            low, high = details.amount_min, details.amount_max
            note = str(_("per applicant"))
        if details.eligible_sizes:
            who.append(
                str(_("Company size: %(list)s."))
                % {"list": ", ".join(details.eligible_size_labels)}
            )
    elif o.kind == Kind.CO_CREATION and details is not None and details.pilot_budget:
        low, high, note = None, details.pilot_budget, str(_("for the pilot"))
    elif o.kind == Kind.TENDER and details is not None and not (low or high):
        if details.estimated_value:
            high, note = details.estimated_value, str(_("estimated value, excluding VAT"))
    elif o.kind == Kind.TEST_LOCATION and details is not None:
        if details.trl_min:
            who.append(
                str(_("Products at technology readiness level (TRL) %(n)s or higher."))
                % {"n": details.trl_min}
            )
        if details.fees and not (low or high):
            note = details.fees
    what = _first_text(
        o.summary,
        getattr(details, "challenge", "") if details is not None else "",
        o.description,
    )
    return OneMinute(
        what=what or o.title,
        what_kind=str(WHAT_IT_IS[o.kind]),
        who=who,
        budget_low=low,
        budget_high=high,
        budget_note=note,
        closes_at=o.closes_at,
        on_kansen=o.source == Opportunity.Source.KANSEN,
        source_name=o.get_source_display(),
        source_url=o.source_url,
    )


def usually_needed(opportunity: Opportunity) -> list[str]:
    """What most buyers ask for with this kind of opportunity (our own advice)."""
    return [str(line) for line in USUALLY_NEEDED[opportunity.kind]]


def tips_for(opportunity: Opportunity) -> list[str]:
    """Tips for first-timers for this kind of opportunity (our own writing)."""
    return [str(tip) for tip in TIPS[opportunity.kind]]
