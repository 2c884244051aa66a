"""What indicators tells, and asks, the apps built on it without importing
them: imports run down (public -> ratings -> indicators). ratings connects to
both when it starts (`ratings/receivers.py`).

- `audited`: sent by indicators' actions inside their transaction for every
  write an admin should find in the one audit log (ratings' AuditEntry). Sent,
  not sent robustly: a receiver that fails fails the write, so nothing is
  written unaudited.
- `published_year_types`: which (year, organisation type code) pairs have
  published ratings, for an upload's preview to say the ratings will need
  recalculating. Nothing is published until an app says how to read it.
"""

from __future__ import annotations

from typing import Callable

from django.dispatch import Signal

# Sent with: action (an audit action's code), user (None from the command line),
# description (a sentence for the log), details (a JSON-able dict).
audited = Signal()


def audit(*, action: str, user, description: str, details: dict) -> None:
    audited.send(sender=__name__, action=action, user=user, description=description, details=details)


PublishedReader = Callable[[set[int]], set[tuple[int, str]]]
_published_reader: PublishedReader | None = None


def read_published_with(reader: PublishedReader) -> None:
    """Say how to read the published (year, organisation type code) pairs among some years."""
    global _published_reader
    _published_reader = reader


def published_year_types(years: set[int]) -> set[tuple[int, str]]:
    return set() if _published_reader is None else _published_reader(years)
