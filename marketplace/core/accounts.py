"""How django-allauth makes accounts on Kansen."""

from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from django.utils import translation

from marketplace.core.models import User


class AccountAdapter(DefaultAccountAdapter):
    def new_user(self, request):
        """A new account reads Kansen, and gets its emails, in the language it signed up in."""
        user = super().new_user(request)
        language = (translation.get_language() or "").split("-")[0]
        if language in User.Language.values:
            user.language = language
        return user
