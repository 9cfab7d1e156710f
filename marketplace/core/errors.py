"""Domain errors and the API's error format: `{"detail": ..., "errors": {field: [messages]}}`.

Services raise these; the API turns them into 4xx answers and the pages into friendly messages.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler


class ApplicationError(Exception):
    """A request that cannot be carried out as asked. `errors` maps fields to messages."""

    status_code = 400

    def __init__(self, message: str, *, errors: dict[str, list[str]] | None = None):
        super().__init__(message)
        self.message = message
        self.errors = errors or {}


class TransitionError(ApplicationError):
    """An illegal state change, such as publishing a cancelled opportunity."""

    status_code = 409


class NotFound(ApplicationError, Http404):
    """Missing, or not yours: the two are deliberately indistinguishable. Pages show the 404
    page; the API answers 404."""

    status_code = 404

    def __init__(self, message: str | None = None):
        super().__init__(message or str(_("Not found.")))


class Forbidden(ApplicationError, PermissionDenied):
    status_code = 403


def _as_messages(value: Any) -> list[str]:
    if isinstance(value, list | tuple):
        out: list[str] = []
        for item in value:
            out.extend(_as_messages(item))
        return out
    if isinstance(value, dict):
        return [f"{k}: {m}" for k, v in value.items() for m in _as_messages(v)]
    return [str(value)]


def _field_errors(detail: Any) -> dict[str, list[str]]:
    if isinstance(detail, dict):
        errors = {}
        for key, value in detail.items():
            name = "non_field_errors" if key in ("__all__", "non_field_errors") else str(key)
            errors[name] = _as_messages(value)
        return errors
    return {"non_field_errors": _as_messages(detail)}


def api_exception_handler(exc: Exception, context: dict) -> Response | None:
    if isinstance(exc, ApplicationError):
        return Response({"detail": exc.message, "errors": exc.errors}, status=exc.status_code)
    if isinstance(exc, DjangoValidationError):
        detail = (
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
        return Response(
            {"detail": str(_("Please correct the errors below.")), "errors": _field_errors(detail)},
            status=status.HTTP_400_BAD_REQUEST,
        )
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()

    response = exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        response.data = {
            "detail": str(_("Please correct the errors below.")),
            "errors": _field_errors(exc.detail),
        }
    else:
        detail = response.data.get("detail", "") if isinstance(response.data, dict) else ""
        response.data = {"detail": str(detail or exc), "errors": {}}
    return response
