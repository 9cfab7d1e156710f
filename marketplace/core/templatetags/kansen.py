"""Presentation helpers shared by every page: `{% load kansen %}`.

- `{{ amount|money }}`: euros in the active language ("€ 250.000" in Dutch, "€ 250,000" in English).
- `{{ count|number }}`: a whole number with the thousands separator of the active language.
- `{% money_range low high %}`: a budget range in words ("up to € 50,000").
- `{{ field|ams_field }}`: a form field's widget with the Amsterdam Design System classes and the
  aria attributes that tie it to its hint and error messages.
- `{{ moment|days_left }}`: "3 days left", "closes today".
- `{{ text|glossary_links }}`: procurement words in a text linked to the glossary.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from django import template
from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils import timezone
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

register = template.Library()

_WIDGET_CLASSES = {
    "textarea": "ams-text-area",
    "select": "ams-select",
    "nullbooleanselect": "ams-select",
    "selectmultiple": "ams-select",
    "file": "ams-file-input",
    "clearablefile": "ams-file-input",
    "checkbox": "kansen-checkbox",
    "checkboxselectmultiple": "",
    "radioselect": "",
    "hidden": "",
}


def _amount(value) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


@register.filter
def money(value) -> str:
    """Euros with the thousands separator of the active language; cents only when there are."""
    amount = _amount(value)
    if amount is None:
        return ""
    return format_html("€\u00a0{}", floatformat(amount, "-2g"))


@register.filter
def number(value) -> str:
    """A count with the thousands separator of the active language ("1.234" or "1,234"); left as
    is when it is not a number. Not for years, codes or identifiers."""
    amount = _amount(value)
    if amount is None:
        return value
    return floatformat(amount, "0g")


@register.simple_tag
def money_range(low, high) -> str:
    """A budget in words: "€ 10,000 to € 50,000" (with a dash), "up to € 50,000", "from € 10,000"."""
    low_text, high_text = money(low), money(high)
    if low_text and high_text and _amount(low) != _amount(high):
        return format_html("{} \u2013 {}", low_text, high_text)
    if high_text:
        if low_text:
            return high_text
        return format_html("{} {}", _("up to"), high_text)
    if low_text:
        return format_html("{} {}", _("from"), low_text)
    return ""


@register.filter
def ams_field(bound_field):
    """Render the field's widget with the design system's class, `aria-invalid` when it has
    errors and `aria-describedby` pointing at its hint and error messages."""
    widget_type = bound_field.widget_type
    css = _WIDGET_CLASSES.get(widget_type, "ams-text-input")
    attrs: dict[str, str] = {}
    existing = bound_field.field.widget.attrs.get("class", "")
    if css or existing:
        attrs["class"] = " ".join(c for c in (css, existing) if c)
    described = []
    if bound_field.help_text:
        described.append(f"{bound_field.auto_id}_helptext")
    if bound_field.errors:
        described.append(f"{bound_field.auto_id}_error")
        if widget_type not in ("checkboxselectmultiple", "radioselect"):
            attrs["aria-invalid"] = "true"
    if described and widget_type not in ("checkboxselectmultiple", "radioselect"):
        attrs["aria-describedby"] = " ".join(described)
    return bound_field.as_widget(attrs=attrs)


@register.filter
def days_left(value, now=None) -> str:
    """How long until a deadline, in days: "closes today", "1 day left", "12 days left"."""
    if not value:
        return ""
    now = now or timezone.now()
    if isinstance(value, dt.datetime):
        if value <= now:
            return _("closed")
        days = (timezone.localtime(value).date() - timezone.localtime(now).date()).days
    else:
        days = (value - timezone.localtime(now).date()).days
        if days < 0:
            return _("closed")
    if days == 0:
        return _("closes today")
    return ngettext("%(n)d day left", "%(n)d days left", days) % {"n": days}


# Glossary words that appear in opportunity texts, linked to their entry.
_GLOSSARY_WORDS = [
    (r"\bUEA\b", "uea"),
    (r"\bESPD\b", "uea"),
    (r"\bKvK[- ]uittreksel\b", "kvk-uittreksel"),
    (r"\bChamber of Commerce extract\b", "kvk-uittreksel"),
    (r"\beHerkenning\b", "eherkenning"),
    (r"\bCPV\b", "cpv"),
    (r"\bEMVI\b", "emvi"),
    (r"\bTRL\b", "trl"),
    (r"\bTenderNed\b", "tenderned"),
    (r"\bnota van inlichtingen\b", "nota-van-inlichtingen"),
    (r"\bprogramma van eisen\b", "programma-van-eisen"),
    (r"\blaunching customer\b", "launching-customer"),
    (r"\bSBIR\b", "sbir"),
    (r"\bcofinanciering\b", "cofinanciering"),
    (r"\bco-financing\b", "cofinanciering"),
    (r"\bAlcateltermijn\b", "gunning"),
    (r"\bstandstill period\b", "gunning"),
]
_GLOSSARY_RE = re.compile("|".join(f"({p})" for p, _slug in _GLOSSARY_WORDS), re.IGNORECASE)


@register.filter(needs_autoescape=True)
def glossary_links(text, autoescape: bool = True) -> SafeString:
    """Link the first mention of each procurement word in `text` to the glossary."""
    if not text:
        return mark_safe("")
    escaped = str(conditional_escape(text) if autoescape else text)
    base = reverse("glossary")
    seen: set[str] = set()

    def link(match: re.Match) -> str:
        slug = _GLOSSARY_WORDS[match.lastindex - 1][1]
        if slug in seen:
            return match.group(0)
        seen.add(slug)
        return f'<a href="{base}#{slug}" class="kansen-term">{match.group(0)}</a>'

    return mark_safe(_GLOSSARY_RE.sub(link, escaped))  # noqa: S308 (escaped above)
