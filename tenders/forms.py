"""Forms for the buyer's pages. They turn what a person typed into the data the services take;
the services decide what is valid, and their field errors are shown beside the fields here
(`OpportunityFormSet.add_service_errors`)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.db.models import Q
from django.forms.utils import flatatt
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from marketplace.core.files import DOCUMENT_TYPES
from marketplace.core.models import Competency, CpvCode, Organisation, Region
from tenders.models import (
    AvailabilityWindow,
    AwardCriterion,
    CoCreationDetails,
    CoCreationPhase,
    FundingDetails,
    Lot,
    Opportunity,
    RequiredDocument,
    TenderDetails,
    TestLocationDetails,
)

Kind = Opportunity.Kind
LANGUAGE_CHOICES = [
    ("nl", gettext_lazy("Dutch")),
    ("en", gettext_lazy("English")),
    ("de", gettext_lazy("German")),
    ("fr", gettext_lazy("French")),
]
DATETIME_FORMAT = "%Y-%m-%dT%H:%M"
CPV_CODE = re.compile(r"^\s*(\d{8})(?:-\d)?\b")
REGION_CODE = re.compile(r"^\s*(GM\d{4}|NL[0-9A-Z]{0,3}|[A-Z]{2}[0-9A-Z]{0,3})(?=\s|$)")
MAX_SUGGESTIONS = 8


# Turning typed text into codes ------------------------------------------------------------


def _words_filter(text: str) -> Q:
    q = Q()
    for word in text.split():
        q &= Q(label_nl__icontains=word) | Q(label_en__icontains=word)
    return q


def _suggest(rows) -> str:
    return "; ".join(f"{r.code} {r.label}" for r in rows[:MAX_SUGGESTIONS])


def cpv_from_text(text: str) -> str:
    """A CPV code from '72212000', '72212000-4', '72212000 Programmeren ...' or words of a Dutch
    or English label. Raises ValidationError with suggestions when it is not clear which."""
    text = text.strip()
    match = CPV_CODE.match(text)
    if match:
        return match.group(1)
    if text.replace("-", "").isdigit():
        raise forms.ValidationError(
            _("%(value)s is not a CPV code: a CPV code has 8 digits.") % {"value": text}
        )
    exact = CpvCode.objects.filter(Q(label_nl__iexact=text) | Q(label_en__iexact=text)).first()
    if exact is not None:
        return exact.code
    found = list(CpvCode.objects.filter(_words_filter(text)).order_by("level", "code")[:50])
    if len(found) == 1:
        return found[0].code
    if not found:
        raise forms.ValidationError(
            _("No CPV code matches “%(value)s”. Try other words or the code itself.")
            % {"value": text}
        )
    raise forms.ValidationError(
        _("“%(value)s” matches %(n)s CPV codes. Choose one: %(suggestions)s.")
        % {
            "value": text,
            "n": len(found) if len(found) < 50 else "50+",
            "suggestions": _suggest(found),
        }
    )


def region_from_text(text: str, *, municipality_only: bool = False) -> str:
    """A region code from 'GM0363', 'GM0363 Amsterdam', 'NL32B' or a name ('Amsterdam')."""
    text = text.strip()
    match = REGION_CODE.match(text)
    regions = Region.objects.all()
    if municipality_only:
        regions = regions.filter(kind=Region.Kind.MUNICIPALITY)
    if match and regions.filter(code=match.group(1)).exists():
        return match.group(1)
    name = text.split(" ", 1)[1] if match and " " in text else text
    exact = list(
        regions.filter(Q(label_nl__iexact=name) | Q(label_en__iexact=name)).order_by("code")
    )
    if len(exact) >= 1:
        # A municipality and a region can share a name (Utrecht): the municipality is meant.
        exact.sort(key=lambda r: r.kind != Region.Kind.MUNICIPALITY)
        return exact[0].code
    found = list(regions.filter(_words_filter(name)).filter(country="NL").order_by("code")[:50])
    if len(found) == 1:
        return found[0].code
    if not found:
        raise forms.ValidationError(
            _("No region or municipality is called “%(value)s”.") % {"value": text}
        )
    raise forms.ValidationError(
        _("“%(value)s” fits several places. Choose one: %(suggestions)s.")
        % {"value": text, "suggestions": _suggest(found)}
    )


class CodeInputs(forms.Widget):
    """Several text inputs with one name, each linked to a <datalist> for type-ahead. Works
    without JavaScript: the browser filters the datalist, and the server understands names."""

    def __init__(self, *, datalist: str, extra: int = 3, attrs=None):
        super().__init__(attrs)
        self.datalist = datalist
        self.extra = extra

    def value_from_datadict(self, data, files, name):
        getter = getattr(data, "getlist", None)
        values = getter(name) if getter else data.get(name, [])
        if isinstance(values, str):
            values = [values]
        return [v for v in (values or []) if str(v).strip()]

    def value_omitted_from_data(self, data, files, name):
        return False

    def format_value(self, value):
        if not value:
            return []
        return list(value) if isinstance(value, list | tuple) else [value]

    def render(self, name, value, attrs=None, renderer=None):
        attrs = {**self.attrs, **(attrs or {})}
        base_id = attrs.pop("id", f"id_{name}")
        label = getattr(self, "label", None) or name
        values = [*self.format_value(value), *([""] * self.extra)]
        items = []
        for index, item in enumerate(values):
            input_id = base_id if index == 0 else f"{base_id}_{index}"
            extra = flatatt(attrs)
            aria = format_html(' aria-label="{} {}"', label, index + 1) if index else ""
            items.append(
                format_html(
                    '<li><input type="text" name="{}" id="{}" value="{}" list="{}" '
                    'autocomplete="off" data-typeahead="{}"{}{}></li>',
                    name,
                    input_id,
                    item,
                    self.datalist,
                    self.datalist,
                    extra,
                    aria,
                )
            )
        return format_html('<ul class="code-inputs">{}</ul>', mark_safe("".join(items)))  # noqa: S308


class CodesField(forms.Field):
    """A list of codes typed as codes or names; every unclear entry is reported with
    suggestions."""

    def __init__(self, *, resolve, datalist: str, extra: int = 3, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(widget=CodeInputs(datalist=datalist, extra=extra), **kwargs)
        self.widget.label = self.label
        self.resolve = resolve

    def to_python(self, value):
        if not value:
            return []
        if isinstance(value, str):
            value = [value]
        codes, problems = [], []
        for item in value:
            try:
                code = self.resolve(str(item))
            except forms.ValidationError as exc:
                problems.extend(exc.messages)
                continue
            if code not in codes:
                codes.append(code)
        if problems:
            raise forms.ValidationError(problems)
        return codes


class CommaCodesField(forms.CharField):
    """CPV codes in one line, separated by commas (for lots)."""

    def has_changed(self, initial, data) -> bool:
        return (initial or "").strip() != (data or "").strip()

    def to_python(self, value):
        value = super().to_python(value)
        codes, problems = [], []
        for item in [v for v in (value or "").split(",") if v.strip()]:
            try:
                code = cpv_from_text(item)
            except forms.ValidationError as exc:
                problems.extend(exc.messages)
                continue
            if code not in codes:
                codes.append(code)
        if problems:
            raise forms.ValidationError(problems)
        return codes


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format=DATETIME_FORMAT, **kwargs)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def _datetime_field(label, help_text="") -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        required=False,
        widget=DateTimeInput(),
        input_formats=[DATETIME_FORMAT, "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
        help_text=help_text,
    )


def competency_choices() -> list:
    """Competencies grouped under their parent, for grouped checkboxes."""
    nodes = list(Competency.objects.select_related("parent").order_by("position", "slug"))
    roots = [n for n in nodes if n.parent_id is None]
    grouped = []
    for root in roots:
        children = [(n.slug, n.label) for n in nodes if n.parent_id == root.pk]
        grouped.append((root.label, [(root.slug, root.label), *children]))
    return grouped


# The shared part ---------------------------------------------------------------------------


class OpportunityForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=300)
    summary = forms.CharField(
        label=gettext_lazy("Summary"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("In one minute: what is asked, for whom, by when. Plain language."),
    )
    description = forms.CharField(
        label=gettext_lazy("Description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 10}),
    )
    competencies = forms.MultipleChoiceField(
        label=gettext_lazy("Competencies"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy(
            "What companies should be able to do. Companies are matched on this."
        ),
    )
    cpv_codes = CodesField(
        label=gettext_lazy("CPV codes"),
        resolve=cpv_from_text,
        datalist="cpv-options",
        help_text=gettext_lazy(
            "What you buy, in the EU vocabulary. Type a code or words in Dutch or English, e.g. "
            "“software” or “72000000”. The first code is the main one."
        ),
    )
    regions = CodesField(
        label=gettext_lazy("Regions"),
        resolve=region_from_text,
        datalist="region-options",
        extra=2,
        help_text=gettext_lazy(
            "Where the work happens: a municipality (e.g. Amsterdam) or a region."
        ),
    )
    budget_min = forms.DecimalField(
        label=gettext_lazy("Budget from (EUR)"), required=False, min_value=0, decimal_places=2
    )
    budget_max = forms.DecimalField(
        label=gettext_lazy("Budget up to (EUR)"), required=False, min_value=0, decimal_places=2
    )
    opens_at = _datetime_field(
        gettext_lazy("Opens"), gettext_lazy("Empty: open as soon as you publish.")
    )
    closes_at = _datetime_field(
        gettext_lazy("Deadline"), gettext_lazy("Amsterdam time. Applications close at this moment.")
    )
    question_deadline = _datetime_field(
        gettext_lazy("Question deadline"),
        gettext_lazy("Until when companies can ask questions. Empty: until the deadline."),
    )
    is_sme_suitable = forms.BooleanField(label=gettext_lazy("Suitable for SMEs"), required=False)
    is_first_timer_friendly = forms.BooleanField(
        label=gettext_lazy("Friendly to companies that apply for the first time"), required=False
    )
    languages = forms.MultipleChoiceField(
        label=gettext_lazy("Languages in which companies may apply"),
        required=False,
        choices=LANGUAGE_CHOICES,
        widget=forms.CheckboxSelectMultiple,
    )
    apply_checklist = forms.CharField(
        label=gettext_lazy("What you need to apply"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=gettext_lazy(
            "One item per line, in plain words, e.g. “A plan of at most 4 pages”."
        ),
    )
    is_sealed = forms.BooleanField(
        label=gettext_lazy("Keep applications sealed until the deadline"), required=False
    )

    def __init__(self, *args, with_reason: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["competencies"].choices = competency_choices()
        if with_reason:
            self.fields["reason"] = forms.CharField(
                label=gettext_lazy("Why do you change it?"),
                max_length=500,
                help_text=gettext_lazy(
                    "It is published: followers see this reason with the list of changes."
                ),
            )

    def clean_apply_checklist(self) -> list[str]:
        text = self.cleaned_data.get("apply_checklist") or ""
        return [line.strip(" -•\t") for line in text.splitlines() if line.strip(" -•\t")]

    def to_data(self) -> dict[str, Any]:
        data = {k: v for k, v in self.cleaned_data.items() if k != "reason"}
        data["main_cpv"] = data["cpv_codes"][0] if data.get("cpv_codes") else None
        return data

    @staticmethod
    def initial_for(opportunity: Opportunity) -> dict[str, Any]:
        from django.utils import timezone

        def local(value):
            return timezone.localtime(value).strftime(DATETIME_FORMAT) if value else None

        cpv = sorted(c.code for c in opportunity.cpv_codes.all())
        if opportunity.main_cpv_id in cpv:
            cpv.remove(opportunity.main_cpv_id)
            cpv.insert(0, opportunity.main_cpv_id)
        return {
            "title": opportunity.title,
            "summary": opportunity.summary,
            "description": opportunity.description,
            "competencies": [c.slug for c in opportunity.competencies.all()],
            "cpv_codes": [f"{c} {_cpv_label(c)}" for c in cpv],
            "regions": [f"{r.code} {r.label}" for r in opportunity.regions.all()],
            "budget_min": opportunity.budget_min,
            "budget_max": opportunity.budget_max,
            "opens_at": local(opportunity.opens_at),
            "closes_at": local(opportunity.closes_at),
            "question_deadline": local(opportunity.question_deadline),
            "is_sme_suitable": opportunity.is_sme_suitable,
            "is_first_timer_friendly": opportunity.is_first_timer_friendly,
            "languages": opportunity.languages,
            "apply_checklist": "\n".join(opportunity.apply_checklist or []),
            "is_sealed": opportunity.is_sealed,
        }


def _cpv_label(code: str) -> str:
    row = CpvCode.objects.filter(code=code).first()
    return row.label if row else ""


# Kind-specific details -------------------------------------------------------------------


class TenderDetailsForm(forms.ModelForm):
    class Meta:
        model = TenderDetails
        fields = ["procedure", "estimated_value", "contract_duration_months"]


class FundingDetailsForm(forms.ModelForm):
    eligible_sizes = forms.MultipleChoiceField(
        label=gettext_lazy("Who may apply: company sizes"),
        required=False,
        choices=Organisation.SizeClass.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("None ticked: every size."),
    )

    class Meta:
        model = FundingDetails
        fields = [
            "programme",
            "call_code",
            "total_budget",
            "amount_min",
            "amount_max",
            "cofinancing_rate",
            "eligible_sizes",
            "eligible_places",
            "eligible_sectors",
            "selection_criteria",
        ]
        labels = {"total_budget": gettext_lazy("Total budget of the call (EUR)")}
        widgets = {
            "eligible_places": forms.Textarea(attrs={"rows": 2}),
            "eligible_sectors": forms.Textarea(attrs={"rows": 2}),
            "selection_criteria": forms.Textarea(attrs={"rows": 5}),
        }


class CoCreationDetailsForm(forms.ModelForm):
    class Meta:
        model = CoCreationDetails
        fields = [
            "challenge",
            "desired_outcome",
            "pilot_budget",
            "offers_data",
            "launching_customer_intent",
            "other_offers",
            "team_requirements",
        ]
        widgets = {
            name: forms.Textarea(attrs={"rows": 4})
            for name in (
                "challenge",
                "desired_outcome",
                "offers_data",
                "other_offers",
                "team_requirements",
            )
        }


class TestLocationDetailsForm(forms.ModelForm):
    municipality = forms.CharField(
        label=gettext_lazy("Municipality"),
        required=False,
        widget=forms.TextInput(attrs={"list": "municipality-options", "autocomplete": "off"}),
        help_text=gettext_lazy("E.g. Amsterdam or GM0363."),
    )

    class Meta:
        model = TestLocationDetails
        fields = [
            "address",
            "municipality",
            "latitude",
            "longitude",
            "has_power",
            "connectivity",
            "data_feeds",
            "permits",
            "insurance",
            "privacy_rules",
            "fees",
            "trl_min",
            "trl_max",
            "capacity",
        ]
        labels = {"latitude": gettext_lazy("Latitude"), "longitude": gettext_lazy("Longitude")}
        widgets = {
            name: forms.Textarea(attrs={"rows": 3})
            for name in ("data_feeds", "permits", "insurance", "privacy_rules")
        }

    def clean_municipality(self) -> str | None:
        value = (self.cleaned_data.get("municipality") or "").strip()
        return region_from_text(value, municipality_only=True) if value else None

    def _post_clean(self):
        # The service checks the model; the typed municipality is a code, not a row, here.
        pass


DETAILS_FORMS = {
    Kind.TENDER: TenderDetailsForm,
    Kind.FUNDING: FundingDetailsForm,
    Kind.CO_CREATION: CoCreationDetailsForm,
    Kind.TEST_LOCATION: TestLocationDetailsForm,
}


def _details_initial(opportunity: Opportunity, form_class) -> dict[str, Any]:
    model = form_class._meta.model
    details = model.objects.filter(opportunity=opportunity).select_related().first()
    if details is None:
        return {}
    initial = forms.model_to_dict(details, fields=form_class._meta.fields)
    if model is TestLocationDetails and details.municipality_id:
        initial["municipality"] = f"{details.municipality_id} {details.municipality.label}"
    return initial


# Rows: lots, criteria, required documents, phases, availability ---------------------------


class RowForm(forms.Form):
    """A row of a formset. A browser always sends a value for selects and ticked-by-default
    boxes, so those alone do not make an empty row count."""

    ignored_when_alone: tuple[str, ...] = ()

    def has_changed(self) -> bool:
        return bool(set(self.changed_data) - set(self.ignored_when_alone))


class LotForm(RowForm):
    number = forms.CharField(label=gettext_lazy("Lot number"), max_length=30)
    title = forms.CharField(label=gettext_lazy("Title"), max_length=300)
    description = forms.CharField(
        label=gettext_lazy("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    cpv_codes = CommaCodesField(
        label=gettext_lazy("CPV codes"),
        required=False,
        help_text=gettext_lazy("Separated by commas."),
    )
    estimated_value = forms.DecimalField(
        label=gettext_lazy("Estimated value (EUR)"), required=False, min_value=0, decimal_places=2
    )


class AwardCriterionForm(RowForm):
    ignored_when_alone = ("type",)

    type = forms.ChoiceField(label=gettext_lazy("Type"), choices=AwardCriterion.Type.choices)
    name = forms.CharField(label=gettext_lazy("Criterion"), max_length=200)
    weight = forms.DecimalField(
        label=gettext_lazy("Weight (%)"), min_value=0, max_value=100, decimal_places=2
    )
    description = forms.CharField(
        label=gettext_lazy("Explanation"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    word_limit = forms.IntegerField(
        label=gettext_lazy("Word limit for the answer"), required=False, min_value=1
    )


class RequiredDocumentForm(RowForm):
    ignored_when_alone = ("type", "is_required")

    type = forms.ChoiceField(label=gettext_lazy("Type"), choices=RequiredDocument.Type.choices)
    name = forms.CharField(label=gettext_lazy("Name"), max_length=200)
    description = forms.CharField(
        label=gettext_lazy("Explanation"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    is_required = forms.BooleanField(label=gettext_lazy("Required"), required=False, initial=True)


class PhaseForm(RowForm):
    name = forms.CharField(label=gettext_lazy("Phase"), max_length=200)
    description = forms.CharField(
        label=gettext_lazy("What happens"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    starts_on = forms.DateField(label=gettext_lazy("From"), required=False, widget=DateInput())
    ends_on = forms.DateField(label=gettext_lazy("Until"), required=False, widget=DateInput())


class AvailabilityForm(RowForm):
    starts_on = forms.DateField(label=gettext_lazy("From"), widget=DateInput())
    ends_on = forms.DateField(label=gettext_lazy("Until"), widget=DateInput())
    note = forms.CharField(label=gettext_lazy("Note"), max_length=300, required=False)


@dataclass(frozen=True)
class Rows:
    name: str
    form: type[forms.Form]
    title: Any
    help: Any = ""
    fields: tuple[str, ...] = field(default_factory=tuple)
    item: Any = ""  # what one row is called: "Lot 2"


ROWS = {
    "lots": Rows(
        "lots",
        LotForm,
        gettext_lazy("Lots"),
        gettext_lazy("Leave empty if the tender is not divided into lots."),
        ("number", "title", "description", "cpv_codes", "estimated_value"),
        item=gettext_lazy("Lot"),
    ),
    "award_criteria": Rows(
        "award_criteria",
        AwardCriterionForm,
        gettext_lazy("Award criteria"),
        gettext_lazy("How you choose the winner. The weights add up to 100%."),
        ("type", "name", "weight", "description", "word_limit"),
        item=gettext_lazy("Criterion"),
    ),
    "required_documents": Rows(
        "required_documents",
        RequiredDocumentForm,
        gettext_lazy("Documents applicants must supply"),
        gettext_lazy("For example the UEA, a KvK extract or proof of insurance."),
        ("type", "name", "description", "is_required"),
        item=gettext_lazy("Document"),
    ),
    "phases": Rows(
        "phases",
        PhaseForm,
        gettext_lazy("Phases and timeline"),
        "",
        ("name", "description", "starts_on", "ends_on"),
        item=gettext_lazy("Phase"),
    ),
    "availability": Rows(
        "availability",
        AvailabilityForm,
        gettext_lazy("When companies can test"),
        gettext_lazy("Add at least one period."),
        ("starts_on", "ends_on", "note"),
        item=gettext_lazy("Period"),
    ),
}
ROWS_FOR_KIND = {
    Kind.TENDER: ["lots", "award_criteria", "required_documents"],
    Kind.FUNDING: ["required_documents"],
    Kind.CO_CREATION: ["phases", "required_documents"],
    Kind.TEST_LOCATION: ["availability", "required_documents"],
}
CHILD_MODELS = {
    "lots": Lot,
    "award_criteria": AwardCriterion,
    "required_documents": RequiredDocument,
    "phases": CoCreationPhase,
    "availability": AvailabilityWindow,
}


def _rows_initial(opportunity: Opportunity, name: str) -> list[dict[str, Any]]:
    spec = ROWS[name]
    rows = []
    for obj in getattr(opportunity, name).all():
        row = {f: getattr(obj, f) for f in spec.fields if f != "cpv_codes"}
        if name == "lots":
            row["cpv_codes"] = ", ".join(sorted(c.code for c in obj.cpv_codes.all()))
        rows.append(row)
    return rows


class OpportunityFormSet:
    """The whole create/edit page: the shared form, the kind's details and its rows."""

    def __init__(
        self,
        *,
        kind: str,
        data=None,
        opportunity: Opportunity | None = None,
        with_reason: bool = False,
        buyers=None,
    ):
        self.kind = kind
        initial = OpportunityForm.initial_for(opportunity) if opportunity else {}
        if opportunity is None:
            initial = {"is_sealed": kind == Kind.TENDER, "languages": ["nl"]}
        self.main = OpportunityForm(data, initial=initial, with_reason=with_reason)
        if buyers is not None and len(buyers) > 1:
            self.main.fields["buyer"] = forms.ChoiceField(
                label=gettext_lazy("On behalf of"), choices=[(b.pk, b.name) for b in buyers]
            )
            self.main.order_fields(["buyer"])
        details_class = DETAILS_FORMS[kind]
        details_initial = _details_initial(opportunity, details_class) if opportunity else {}
        self.details = details_class(data, prefix="details", initial=details_initial)
        self.rows = {}
        self.row_errors: dict[str, list[str]] = {}
        for name in ROWS_FOR_KIND[kind]:
            formset_class = forms.formset_factory(ROWS[name].form, extra=2, can_delete=True)
            rows_initial = _rows_initial(opportunity, name) if opportunity else []
            self.rows[name] = formset_class(data, prefix=name, initial=rows_initial)

    @property
    def row_sections(self):
        return [
            (ROWS[name], formset, self.row_errors.get(name, []))
            for name, formset in self.rows.items()
        ]

    def is_valid(self) -> bool:
        valid = self.main.is_valid()
        valid = self.details.is_valid() and valid
        for formset in self.rows.values():
            valid = formset.is_valid() and valid
        return valid

    def _kept_forms(self, name: str) -> list[forms.Form]:
        formset = self.rows[name]
        return [
            form
            for form in formset.forms
            if form.has_changed() and not (formset.can_delete and formset._should_delete_form(form))
        ]

    def to_data(self) -> dict[str, Any]:
        data = self.main.to_data()
        data.pop("buyer", None)
        details = {k: v for k, v in self.details.cleaned_data.items()}
        data["details"] = details
        for name in self.rows:
            data[name] = [
                {k: v for k, v in form.cleaned_data.items() if k != "DELETE"}
                for form in self._kept_forms(name)
            ]
        return data

    def add_service_errors(self, errors: dict[str, list[str]], message: str = "") -> None:
        """Show the service's errors (keyed `title`, `details.x`, `lots.0.title`, ...) beside
        the fields they are about; anything else goes to the top of the form."""
        for key, messages in errors.items():
            for text in messages:
                self._add_one(key, text)
        if message and not errors:
            self.main.add_error(None, message)

    def _add_one(self, key: str, text: str) -> None:
        parts = key.split(".")
        head = parts[0]
        if head == "details" and len(parts) >= 2 and parts[1] in self.details.fields:
            self.details.add_error(parts[1], text)
        elif head in self.rows:
            kept = self._kept_forms(head)
            if len(parts) >= 2 and parts[1].isdigit() and int(parts[1]) < len(kept):
                form = kept[int(parts[1])]
                target = parts[2] if len(parts) > 2 and parts[2] in form.fields else None
                form.add_error(target, text)
            else:
                self.row_errors.setdefault(head, []).append(text)
        elif head in self.main.fields:
            self.main.add_error(head, text)
        else:
            self.main.add_error(None, text)

    def error_list(self) -> list[tuple[str, str, str]]:
        """(anchor id, label, message) for the error summary at the top of the page."""
        out = []
        for error in self.main.non_field_errors():
            out.append(("", "", error))
        for form in (self.main, self.details):
            for bound in form:
                for error in bound.errors:
                    out.append((bound.id_for_label, str(bound.label), error))
        for name, formset in self.rows.items():
            title, item = str(ROWS[name].title), str(ROWS[name].item)
            for error in [*self.row_errors.get(name, []), *formset.non_form_errors()]:
                out.append((f"rows-{name}", title, error))
            for index, form in enumerate(formset.forms, start=1):
                for error in form.non_field_errors():
                    out.append((f"rows-{name}", f"{item} {index}", error))
                for bound in form:
                    for error in bound.errors:
                        out.append((bound.id_for_label, f"{item} {index}: {bound.label}", error))
        return out


# Small action forms -----------------------------------------------------------------------


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Applicants and followers read this."),
    )


class OptionalReasonForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        max_length=500,
        required=False,
        help_text=gettext_lazy("Optional. Followers read this."),
    )


class AwardForm(forms.Form):
    OUTCOMES = [
        ("awarded", gettext_lazy("Awarded to a company")),
        ("not_awarded", gettext_lazy("Not awarded")),
    ]
    outcome = forms.ChoiceField(
        label=gettext_lazy("Outcome"), choices=OUTCOMES, widget=forms.RadioSelect, initial="awarded"
    )
    company = forms.CharField(
        label=gettext_lazy("Winning company on Kansen"),
        required=False,
        widget=forms.TextInput(attrs={"list": "company-options", "autocomplete": "off"}),
        help_text=gettext_lazy("Type its name or KvK number."),
    )
    supplier_name = forms.CharField(
        label=gettext_lazy("Or the name of the winner, if it is not on Kansen"),
        max_length=300,
        required=False,
    )
    value = forms.DecimalField(
        label=gettext_lazy("Value (EUR)"), required=False, min_value=0, decimal_places=2
    )
    lot = forms.ChoiceField(label=gettext_lazy("Lot"), required=False)
    note = forms.CharField(
        label=gettext_lazy("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, opportunity: Opportunity, **kwargs):
        super().__init__(*args, **kwargs)
        lots = list(opportunity.lots.all())
        if lots:
            self.fields["lot"].choices = [("", _("The whole opportunity"))] + [
                (lot.number, f"{lot.number}: {lot.title}") for lot in lots
            ]
        else:
            del self.fields["lot"]

    def clean_company(self) -> Organisation | None:
        value = (self.cleaned_data.get("company") or "").strip()
        if not value:
            return None
        companies = Organisation.objects.filter(kind=Organisation.Kind.COMPANY)
        kvk = re.search(r"\b(\d{8})\b", value)
        match = companies.filter(kvk_number=kvk.group(1)).first() if kvk else None
        if match is None:
            name = re.sub(r"\s*\(KvK \d{8}\)\s*$", "", value)
            found = list(companies.filter(name__iexact=name)[:2])
            match = found[0] if len(found) == 1 else None
        if match is None:
            raise forms.ValidationError(
                _(
                    "No company on Kansen is called that. Check the name or KvK number, or fill in the name of the winner below."
                )
            )
        return match

    def clean(self):
        data = super().clean()
        if (
            data.get("outcome") == "awarded"
            and not (data.get("company") or data.get("supplier_name"))
            and "company" not in self.errors
        ):
            self.add_error("company", _("Name the winner, or choose “not awarded”."))
        return data


# What the file picker offers: the types marketplace.core.files accepts.
DOCUMENT_ACCEPT = ",".join(f".{extension}" for extension in DOCUMENT_TYPES)


class DocumentUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy("PDF, ODT, DOCX, XLSX or ZIP, at most 25 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": DOCUMENT_ACCEPT}),
    )
    title = forms.CharField(
        label=gettext_lazy("Title"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("Empty: the file name."),
    )


class DocumentReplaceForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("New version"),
        widget=forms.ClearableFileInput(attrs={"accept": DOCUMENT_ACCEPT}),
    )
    note = forms.CharField(
        label=gettext_lazy("What changed"),
        max_length=500,
        required=False,
        help_text=gettext_lazy("Required once published; followers read it."),
    )


class QuestionForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Your question"),
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy(
            "The answer is published for everyone. Your name and company are never shown."
        ),
    )


class AnswerForm(forms.Form):
    question = forms.CharField(
        label=gettext_lazy("Question as published"),
        max_length=3000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("Rephrase it if it gives away who asked."),
    )
    answer = forms.CharField(
        label=gettext_lazy("Answer"), max_length=10000, widget=forms.Textarea(attrs={"rows": 4})
    )
