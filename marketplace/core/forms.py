from django import forms
from django.utils.translation import gettext_lazy as _

from marketplace.core.models import Membership, Organisation


class CompanyForm(forms.ModelForm):
    class Meta:
        model = Organisation
        fields = ["name", "kvk_number", "size_class", "city", "website"]
        help_texts = {
            "kvk_number": _("Your 8-digit number from the Chamber of Commerce (KvK)."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kvk_number"].required = True
        self.fields["size_class"].required = True


class BuyerForm(forms.ModelForm):
    class Meta:
        model = Organisation
        fields = ["name", "buyer_type", "oin", "kvk_number", "city", "website"]
        help_texts = {
            "oin": _("The 20-digit Organisatie-identificatienummer, if your organisation has one."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["buyer_type"].required = True


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("Email address"))
    role = forms.ChoiceField(label=_("Role"), choices=Membership.Role.choices, initial="member")


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        required=False,
        help_text=_("So you can recognise it later, for example 'my laptop'."),
    )
