"""Forms for the application pages. The application form is built from the opportunity (its
criteria, lots, documents, the buyer's questions); the services still decide what is valid."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tenders.models import Application, ApplicationQuestion
from tenders.services import application_content as content

QType = ApplicationQuestion.Type
EXTRA_ROWS = 3


def _text_field(label, limit: int | None, help_text: str = "") -> forms.CharField:
    hint = str(_("At most %(n)d words.") % {"n": limit}) if limit else ""
    return forms.CharField(
        label=label,
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=" ".join(x for x in [str(help_text), hint] if x),
    )


def _amount_field(label, help_text: str = "") -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=False,
        min_value=Decimal(0),
        max_digits=14,
        decimal_places=2,
        help_text=help_text,
        localize=False,
    )


def _date_field(label, help_text: str = "") -> forms.DateField:
    return forms.DateField(
        label=label,
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=help_text,
    )


class ApplicationForm(forms.Form):
    """The whole application on one page, in sections. `sections` lists (title, field names)."""

    def __init__(
        self,
        *args,
        spec: content.FormSpec,
        application: Application,
        periods: list | None = None,
        **kwargs,
    ):
        self.spec = spec
        self.application = application
        draft = application.draft or {}
        super().__init__(*args, initial=self._initial(draft), **kwargs)
        self.sections: list[tuple[str, list[str]]] = []
        self._build(draft, periods or [])

    # -- building ------------------------------------------------------------------------

    def _section(self, title, names: list[str]) -> None:
        if names:
            self.sections.append((str(title), names))

    def _build(self, draft: dict, periods: list) -> None:
        spec, kind = self.spec, self.spec.kind
        names = []
        for c in spec.criteria:
            name = f"criteria_{c.pk}"
            self.fields[name] = _text_field(
                f"{c.name} ({c.weight.normalize():f}%)", c.word_limit, c.description
            )
            names.append(name)
        self._section(_("Award criteria"), names)

        names = []
        if kind == "tender":
            for lot in spec.lots:
                name = f"lot_{lot.pk}"
                self.fields[name] = _amount_field(
                    _("Price for lot %(number)s: %(title)s (EUR, excluding VAT)")
                    % {"number": lot.number, "title": lot.title},
                    _("Leave empty for lots you do not bid on."),
                )
                names.append(name)
            if not spec.lots:
                self.fields["price"] = _amount_field(content.LABELS["price"])
                names.append("price")
            self._section(_("Your price"), names)
        elif kind == "funding":
            low, high = spec.amount_range()
            hint = ""
            if low is not None or high is not None:
                hint = _("This call gives from %(min)s to %(max)s.") % {
                    "min": content._eur(low) if low is not None else "€ 0",
                    "max": content._eur(high) if high is not None else "…",
                }
            self.fields["project_plan"] = _text_field(
                content.LABELS["project_plan"], content.WORD_LIMITS["project_plan"]
            )
            self.fields["requested_amount"] = _amount_field(
                content.LABELS["requested_amount"], hint
            )
            self._section(_("Your project"), ["project_plan", "requested_amount"])
            names = []
            rows = draft.get("budget") or []
            for i in range(len(rows) + EXTRA_ROWS):
                self.fields[f"budget_item_{i}"] = forms.CharField(
                    label=_("Budget item %(n)d") % {"n": i + 1}, required=False, max_length=200
                )
                self.fields[f"budget_amount_{i}"] = _amount_field(
                    _("Amount for item %(n)d (EUR)") % {"n": i + 1}
                )
                names += [f"budget_item_{i}", f"budget_amount_{i}"]
            self._section(_("Budget: what the project costs"), names)
        elif kind == "co_creation":
            for name in content.KIND_TEXTS[kind]:
                self.fields[name] = _text_field(content.LABELS[name], content.WORD_LIMITS[name])
            self._section(_("Your proposal"), content.KIND_TEXTS[kind])
        elif kind == "test_location":
            free = "; ".join(
                f"{a.isoformat()} to {b.isoformat()}" if a != b else a.isoformat()
                for a, b in periods
            )
            hint = (
                _("Still available: %(periods)s.") % {"periods": free}
                if free
                else _("No dates are available at the moment.")
            )
            self.fields["starts_on"] = _date_field(content.LABELS["starts_on"], hint)
            self.fields["ends_on"] = _date_field(content.LABELS["ends_on"])
            for name in content.KIND_TEXTS[kind]:
                self.fields[name] = _text_field(content.LABELS[name], content.WORD_LIMITS[name])
            self._section(_("Your test"), ["starts_on", "ends_on", *content.KIND_TEXTS[kind]])

        names = []
        files = draft.get("files") or {}
        for d in spec.documents:
            name = f"doc_{d.pk}"
            self.fields[name] = forms.FileField(
                label=d.name,
                required=False,
                help_text=_("PDF, ODT, DOCX, XLSX or ZIP, at most 25 MB.")
                + (" " + str(_("Optional.")) if not d.is_required else ""),
            )
            self.fields[name].slot = f"document:{d.pk}"
            self.fields[name].has_file = f"document:{d.pk}" in files
            names.append(name)
        self._section(_("Documents"), names)

        names = []
        for q in spec.questions:
            name = f"q_{q.pk}"
            self.fields[name] = self._question_field(q)
            if q.type == QType.FILE:
                self.fields[name].slot = f"question:{q.pk}"
                self.fields[name].has_file = f"question:{q.pk}" in files
            names.append(name)
        self._section(_("Questions from the buyer"), names)

        names = []
        partners = draft.get("partners") or []
        for i in range(len(partners) + 2):
            self.fields[f"partner_name_{i}"] = forms.CharField(
                label=_("Partner %(n)d: company name") % {"n": i + 1},
                required=False,
                max_length=200,
            )
            self.fields[f"partner_kvk_{i}"] = forms.CharField(
                label=_("Partner %(n)d: KvK number") % {"n": i + 1}, required=False, max_length=12
            )
            self.fields[f"partner_role_{i}"] = forms.CharField(
                label=_("Partner %(n)d: role in the project") % {"n": i + 1},
                required=False,
                max_length=500,
            )
            names += [f"partner_name_{i}", f"partner_kvk_{i}", f"partner_role_{i}"]
        self._section(_("Partners (a consortium; leave empty if you apply alone)"), names)

    def _question_field(self, q: ApplicationQuestion) -> forms.Field:
        help_text = q.help_text
        if not q.is_required:
            help_text = f"{help_text} {_('Optional.')}".strip()
        if q.type == QType.TEXT:
            return _text_field(q.text, q.word_limit, help_text)
        if q.type == QType.NUMBER:
            return forms.DecimalField(label=q.text, required=False, help_text=help_text)
        if q.type == QType.YES_NO:
            return forms.ChoiceField(
                label=q.text,
                required=False,
                choices=[("yes", _("Yes")), ("no", _("No"))],
                widget=forms.RadioSelect,
                help_text=help_text,
            )
        if q.type == QType.CHOICE:
            return forms.ChoiceField(
                label=q.text,
                required=False,
                choices=[("", _("(choose)")), *[(c, c) for c in q.choices]],
                help_text=help_text,
            )
        return forms.FileField(
            label=q.text,
            required=False,
            help_text=f"{help_text} {_('PDF, ODT, DOCX, XLSX or ZIP, at most 25 MB.')}".strip(),
        )

    @staticmethod
    def _initial(draft: dict) -> dict[str, Any]:
        initial: dict[str, Any] = {}
        for k, v in (draft.get("criteria") or {}).items():
            initial[f"criteria_{k}"] = v
        for k, v in (draft.get("lot_prices") or {}).items():
            initial[f"lot_{k}"] = v
        for name in ("price", "requested_amount", "starts_on", "ends_on", *content.WORD_LIMITS):
            if name in draft:
                initial[name] = draft[name]
        for i, row in enumerate(draft.get("budget") or []):
            initial[f"budget_item_{i}"] = row.get("item")
            initial[f"budget_amount_{i}"] = row.get("amount")
        for k, v in (draft.get("answers") or {}).items():
            initial[f"q_{k}"] = ("yes" if v else "no") if isinstance(v, bool) else v
        for i, row in enumerate(draft.get("partners") or []):
            initial[f"partner_name_{i}"] = row.get("name")
            initial[f"partner_kvk_{i}"] = row.get("kvk_number")
            initial[f"partner_role_{i}"] = row.get("role")
        return initial

    # -- reading -------------------------------------------------------------------------

    def content(self) -> dict[str, Any]:
        """The cleaned form as a change for `application_update` (every field: empty removes)."""
        data, spec, cd = {}, self.spec, self.cleaned_data

        def amount(name):
            value = cd.get(name)
            return str(value) if value is not None else None

        if spec.criteria:
            data["criteria"] = {str(c.pk): cd.get(f"criteria_{c.pk}") for c in spec.criteria}
        if spec.kind == "tender":
            if spec.lots:
                data["lot_prices"] = {str(lot.pk): amount(f"lot_{lot.pk}") for lot in spec.lots}
            else:
                data["price"] = amount("price")
        for name in ("requested_amount",):
            if name in self.fields:
                data[name] = amount(name)
        for name in ("starts_on", "ends_on"):
            if name in self.fields:
                data[name] = cd.get(name).isoformat() if cd.get(name) else None
        for name in content.WORD_LIMITS:
            if name in self.fields:
                data[name] = cd.get(name)
        if spec.kind == "funding":
            rows, i = [], 0
            while f"budget_item_{i}" in self.fields:
                rows.append(
                    {"item": cd.get(f"budget_item_{i}"), "amount": amount(f"budget_amount_{i}")}
                )
                i += 1
            data["budget"] = rows
        answers = {}
        for q in spec.questions:
            if q.type == QType.FILE:
                continue
            value = cd.get(f"q_{q.pk}")
            if q.type == QType.NUMBER:
                value = str(value) if value is not None else None
            answers[str(q.pk)] = value if value not in ("", None) else None
        if answers:
            data["answers"] = answers
        rows, i = [], 0
        while f"partner_name_{i}" in self.fields:
            rows.append(
                {
                    "name": cd.get(f"partner_name_{i}"),
                    "kvk_number": cd.get(f"partner_kvk_{i}"),
                    "role": cd.get(f"partner_role_{i}"),
                }
            )
            i += 1
        data["partners"] = rows
        return data

    def uploads(self) -> list[tuple[str, str, Any]]:
        """(field name, slot, file) for every file chosen in this post."""
        return [
            (name, field.slot, self.cleaned_data[name])
            for name, field in self.fields.items()
            if isinstance(field, forms.FileField) and self.cleaned_data.get(name)
        ]

    def field_for(self, key: str) -> str | None:
        """The form field that shows a service error key (`criteria.3`, `budget.0.amount` ...)."""
        parts = key.split(".")
        head = parts[0]
        mapping = {
            "criteria": lambda: f"criteria_{parts[1]}",
            "lot_prices": lambda: (
                f"lot_{parts[1]}"
                if len(parts) > 1
                else (f"lot_{self.spec.lots[0].pk}" if self.spec.lots else None)
            ),
            "documents": lambda: f"doc_{parts[1]}",
            "answers": lambda: f"q_{parts[1]}",
            "budget": lambda: (
                f"budget_{'amount' if parts[-1] == 'amount' else 'item'}_{parts[1]}"
                if len(parts) > 2
                else "budget_item_0"
            ),
            "partners": lambda: (
                {"name": "partner_name", "kvk_number": "partner_kvk"}.get(parts[-1], "partner_role")
                + f"_{parts[1]}"
                if len(parts) > 2
                else "partner_name_0"
            ),
        }
        name = mapping[head]() if head in mapping else head
        return name if name in self.fields else None

    def add_service_errors(self, errors: dict[str, list[str]]) -> None:
        for key, messages in errors.items():
            name = self.field_for(key)
            for message in messages:
                self.add_error(name, message)


class ScoreForm(forms.Form):
    """Scores 0 to 10 per award criterion, with a note."""

    def __init__(self, *args, criteria, mine: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        choices = [("", "-")] + [(str(i), str(i)) for i in range(11)]
        for c in criteria:
            own = mine.get(c.pk)
            self.fields[f"score_{c.pk}"] = forms.ChoiceField(
                label=f"{c.name} ({c.weight.normalize():f}%)",
                choices=choices,
                required=False,
                initial=str(own.score) if own else "",
                help_text=_("0 (poor) to 10 (excellent)."),
            )
            self.fields[f"note_{c.pk}"] = forms.CharField(
                label=_("Note on %(name)s") % {"name": c.name},
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
                initial=own.note if own else "",
            )

    def scores(self) -> dict[str, dict]:
        return {
            str(c.pk): {
                "score": self.cleaned_data[f"score_{c.pk}"],
                "note": self.cleaned_data.get(f"note_{c.pk}", ""),
            }
            for c in self.criteria
            if self.cleaned_data.get(f"score_{c.pk}") not in ("", None)
        }


class DecisionForm(forms.Form):
    feedback = forms.CharField(
        label=_("Feedback to the company"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "What was good, what could be better, and why this decision. Every company that is "
            "not successful gets written feedback before the award."
        ),
        max_length=20000,
    )
    starts_on = forms.DateField(
        label=_("First day booked"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    ends_on = forms.DateField(
        label=_("Last day booked"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class QuestionForm(forms.Form):
    text = forms.CharField(label=_("Question"), max_length=500)
    help_text = forms.CharField(
        label=_("Explanation"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    type = forms.ChoiceField(label=_("Type of answer"), choices=ApplicationQuestion.Type.choices)
    choices = forms.CharField(
        label=_("Options (one per line)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Only for a choice question."),
    )
    is_required = forms.BooleanField(label=_("An answer is required"), required=False, initial=True)
    word_limit = forms.IntegerField(
        label=_("Word limit"), required=False, min_value=1, help_text=_("Only for text answers.")
    )

    def data_for_service(self) -> dict:
        data = dict(self.cleaned_data)
        data["choices"] = [line.strip() for line in data["choices"].splitlines() if line.strip()]
        return data
