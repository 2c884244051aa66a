"""Emails about the fact-check window, through Django's email framework
(the console backend unless EMAIL_BACKEND says otherwise; see the settings).
Each is sent once the transaction that caused it has committed, so nobody is
told of something that was then rolled back."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.urls import reverse

from indicators.times import uk_time
from indicators.years import format_year


def window_opened(window, memberships) -> None:
    messages = [_message(
        membership.user,
        f"Fact-check window open: {membership.organisation.name}'s draft ratings for {format_year(window.year)}",
        f"{membership.organisation.name}'s draft report card for {format_year(window.year)} is ready for you to "
        f"check. It is confidential: do not share it.\n\n"
        f"See it, and challenge any figure or statement you believe is wrong, until {uk_time(window.closes_at)}:\n"
        f"{_url(reverse('fact_check:card', args=[membership.organisation.code, format_year(window.year)]))}\n")
        for membership in memberships]
    _send_on_commit(messages)


def window_closed(window, memberships) -> None:
    messages = [_message(
        membership.user, f"Fact-check window closed: {format_year(window.year)} draft ratings",
        f"The fact-check window of {membership.organisation.name}'s {format_year(window.year)} draft ratings "
        f"has closed. Challenges already made will still be answered; you can follow them at\n"
        f"{_url(reverse('fact_check:home'))}\n")
        for membership in memberships]
    _send_on_commit(messages)


def challenge_resolved(challenge) -> None:
    decision = "accepted" if challenge.status == challenge.Status.ACCEPTED else "rejected"
    _send_on_commit([_message(
        challenge.created_by, f"Your challenge {challenge.pk} was {decision}",
        f"Your challenge to {challenge.organisation.name}'s {format_year(challenge.run.year)} draft report card "
        f"({challenge.subject()}) was {decision}.\n\n{challenge.outcome()}\n\nReason: {challenge.resolution}\n\n"
        f"{_url(reverse('fact_check:challenge', args=[challenge.pk]))}\n")])


def _message(user, subject: str, body: str) -> EmailMessage | None:
    if not user.email:
        return None
    return EmailMessage(subject=subject, body=body, to=[user.email])


def _url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def _send_on_commit(messages: list[EmailMessage | None]) -> None:
    messages = [message for message in messages if message is not None]
    if messages:
        # One connection for all of them; a failure to send is loud (in the log), not silent.
        transaction.on_commit(lambda: get_connection(fail_silently=False).send_messages(messages))
