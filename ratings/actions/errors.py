"""What the ratings actions raise when a write cannot be done as asked."""

from django.core.exceptions import ValidationError


class RecalculationError(Exception):
    """The year cannot be rated (or its runs published) as things stand; the message says why."""


def describe_error(error: ValidationError) -> str:
    """A validation error as one sentence naming each field, for a message or a command's output."""
    if hasattr(error, "message_dict"):
        return "; ".join(f"{name}: {' '.join(messages)}" for name, messages in error.message_dict.items())
    return " ".join(error.messages)
