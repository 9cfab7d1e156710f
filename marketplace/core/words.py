# ruff: noqa: RUF001 - the apostrophes are Django's own, and a msgid must match it exactly.
"""Texts of Django and django-allauth that people read on Kansen's sign-in and sign-up pages.

They are listed here only so `makemessages` copies them into our catalogue (locale/), whose
translations take precedence over the packages' own: Django's Dutch says "u" where we say "je",
and allauth's Dutch calls signing in "aanmelden", which on Kansen means applying for an
opportunity. Nothing uses these constants.
"""

from django.utils.translation import gettext_noop, ngettext_lazy

SIGN_IN_AND_SIGN_UP = (
    gettext_noop("Sign In"),
    gettext_noop("Sign Out"),
    gettext_noop("Sign Up"),
    gettext_noop("Signup"),
    gettext_noop("Are you sure you want to sign out?"),
    gettext_noop("Already have an account? Then please %(link)ssign in%(end_link)s."),
    gettext_noop(
        "If you have not created an account yet, then please %(link)ssign up%(end_link)s first."
    ),
)

PASSWORD_HELP = (
    gettext_noop("Your password can’t be too similar to your other personal information."),
    gettext_noop("Your password can’t be a commonly used password."),
    gettext_noop("Your password can’t be entirely numeric."),
    ngettext_lazy(
        "Your password must contain at least %(min_length)d character.",
        "Your password must contain at least %(min_length)d characters.",
        "min_length",
    ),
)
