"""Supplier-side models."""

from suppliers.models_alerts import *  # noqa: F403
