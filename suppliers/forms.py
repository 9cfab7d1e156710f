from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from marketplace.core.models import Organisation
from suppliers.models import CompanyCompetency

CODE_SPLIT = re.compile(r"[\s,;]+")


def split_codes(value: str) -> list[str]:
    return [v for v in CODE_SPLIT.split(value or "") if v]


class ProfileForm(forms.Form):
    description = forms.CharField(
        label=_("What your company does"),
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
        help_text=_("In plain words: your product or service, for whom, and what makes it work."),
    )
    main_offering = forms.CharField(
        label=_("Main product or service"), max_length=200, required=False
    )
    trl = forms.TypedChoiceField(
        label=_("Technology readiness of your main offering (TRL)"),
        choices=[("", "—")] + [(n, str(n)) for n in range(1, 10)],
        coerce=int,
        empty_value=None,
        required=False,
        help_text=_(
            "1 is an idea, 4 works in the lab, 7 is a pilot in practice, 9 is in daily use."
        ),
    )
    size_class = forms.ChoiceField(
        label=_("Size"), choices=[("", "—"), *Organisation.SizeClass.choices], required=False
    )
    city = forms.CharField(label=_("Place"), max_length=120, required=False)
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")
    founding_year = forms.IntegerField(label=_("Founded in"), required=False, min_value=1800)
    team_size = forms.IntegerField(label=_("Team size (people)"), required=False, min_value=1)
    languages = forms.CharField(
        label=_("Languages you work in"),
        required=False,
        help_text=_("Two-letter codes separated by commas, such as nl, en."),
    )
    regions = forms.CharField(
        label=_("Regions you serve"),
        required=False,
        help_text=_(
            "Region or municipality codes separated by commas, such as NL32B (Groot-Amsterdam), "
            "NL32 (Noord-Holland), GM0363 (Amsterdam) or NL (all of the Netherlands)."
        ),
    )
    cpv_codes = forms.CharField(
        label=_("CPV codes of what you sell"),
        required=False,
        help_text=_(
            "Codes separated by commas, such as 72000000 (IT services) or 73100000 (research)."
        ),
    )
    logo = forms.FileField(
        label=_("Logo"), required=False, help_text=_("A PNG or JPEG of at most 2 MB.")
    )
    remove_logo = forms.BooleanField(label=_("Remove the current logo"), required=False)
    is_public = forms.BooleanField(
        label=_("Show a public company page, so buyers can find and invite us"), required=False
    )

    def profile_data(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("logo", None)
        data.pop("remove_logo", None)
        data["languages"] = [v.lower() for v in split_codes(data["languages"])]
        data["regions"] = split_codes(data["regions"])
        data["cpv_codes"] = split_codes(data["cpv_codes"])
        return data


class CompetenciesForm(forms.Form):
    """One level choice and one evidence link per competency of the taxonomy."""

    LEVELS = [("", _("not for us")), *CompanyCompetency.Level.choices]

    def __init__(self, *args, competencies, references, **kwargs):
        super().__init__(*args, **kwargs)
        self.competencies = list(competencies)
        reference_choices = [("", "—")] + [(str(r.pk), r.title) for r in references]
        for c in self.competencies:
            self.fields[f"level_{c.slug}"] = forms.TypedChoiceField(
                label=c.label, choices=self.LEVELS, coerce=int, empty_value=None, required=False
            )
            self.fields[f"evidence_{c.slug}"] = forms.URLField(
                label=_("Evidence for %(c)s (a link)") % {"c": c.label},
                required=False,
                assume_scheme="https",
            )
            self.fields[f"reference_{c.slug}"] = forms.TypedChoiceField(
                label=_("Reference project for %(c)s") % {"c": c.label},
                choices=reference_choices,
                coerce=int,
                empty_value=None,
                required=False,
            )

    def rows(self):
        for c in self.competencies:
            yield (
                c,
                self[f"level_{c.slug}"],
                self[f"evidence_{c.slug}"],
                self[f"reference_{c.slug}"],
            )

    def competency_data(self) -> list[dict]:
        out = []
        for c in self.competencies:
            level = self.cleaned_data.get(f"level_{c.slug}")
            if level:
                out.append(
                    {
                        "slug": c.slug,
                        "level": level,
                        "evidence_url": self.cleaned_data.get(f"evidence_{c.slug}") or "",
                        "evidence_reference": self.cleaned_data.get(f"reference_{c.slug}"),
                    }
                )
        return out


class ReferenceForm(forms.Form):
    title = forms.CharField(label=_("Project"), max_length=200)
    client = forms.CharField(label=_("Client"), max_length=200, required=False)
    year = forms.IntegerField(label=_("Year"), required=False, min_value=1900, max_value=2100)
    description = forms.CharField(
        label=_("What you did"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    url = forms.URLField(label=_("Link"), required=False, assume_scheme="https")


class InviteForm(forms.Form):
    message = forms.CharField(
        label=_("Personal message (optional)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=2000,
    )
