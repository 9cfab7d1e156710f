"""Opportunities and everything that hangs off them. One module per area, so work on one area
does not touch another's file."""

from tenders.models.applications import *  # noqa: F403
from tenders.models.documents import *  # noqa: F403
from tenders.models.imports import *  # noqa: F403
from tenders.models.opportunities import *  # noqa: F403
from tenders.models.questions import *  # noqa: F403
