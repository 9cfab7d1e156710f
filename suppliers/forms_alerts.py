from django import forms
from django.utils.translation import gettext_lazy as _

from suppliers.models_alerts import AlertPreference, Cadence, SavedSearch


class SavedSearchForm(forms.ModelForm):
    class Meta:
        model = SavedSearch
        fields = ["name", "cadence", "is_paused"]
        widgets = {"cadence": forms.RadioSelect}
        help_texts = {
            "name": _("For example 'Data projects in Amsterdam'. You will see it in your email.")
        }


class SaveSearchForm(forms.Form):
    name = forms.CharField(label=_("Name of this search"), max_length=120)
    cadence = forms.ChoiceField(
        label=_("Email me"),
        choices=Cadence.choices,
        initial=Cadence.DAILY,
        widget=forms.RadioSelect,
    )


class PreferenceForm(forms.ModelForm):
    receive_email = forms.BooleanField(label=_("Send me emails from Kansen"), required=False)

    class Meta:
        model = AlertPreference
        fields = ["matches_enabled", "match_threshold", "matches_cadence", "weekly_cap"]
        widgets = {
            "match_threshold": forms.NumberInput(attrs={"min": 0, "max": 100, "step": 5}),
            "matches_cadence": forms.RadioSelect,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["receive_email"].initial = self.instance.unsubscribed_all_at is None
        self.order_fields(
            ["receive_email", "matches_enabled", "match_threshold", "matches_cadence", "weekly_cap"]
        )
