"""Atom feeds (Django's syndication framework) of what the public has seen
published: one per organisation (each year's band, corrections,
withdrawals), one per year and organisation type, and one of every
publication. Read through `queries.publication_history` (never a draft, nor
a scheduled run before its time); cached like every public page. And the
release calendar's announcements (`queries.announced_releases`: year, type
and time only)."""

from __future__ import annotations

from django.contrib.syndication.views import Feed
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from indicators.models import Organisation, OrganisationType
from indicators.times import uk_time
from indicators.years import format_year

from . import queries
from .presenters import feeds, releases
from .presenters.revisions import long_date

LATEST = 50  # entries of the feed of every publication


class PublicationFeed(Feed):
    feed_type = Atom1Feed

    def item_title(self, entry):
        return entry.title

    def item_description(self, entry):
        return entry.description

    def item_pubdate(self, entry):
        return entry.at

    def item_updateddate(self, entry):
        return entry.at

    def item_guid(self, entry):
        return f"urn:trafficlights:{entry.key}"

    item_guid_is_permalink = False

    def item_link(self, entry):
        return reverse("public:browse", args=[entry.year]) + f"?type={entry.type_code}"


class AllPublicationsFeed(PublicationFeed):
    title = "NHS performance ratings: publications"
    subtitle = "Every publication of ratings, correction and withdrawal."

    def link(self):
        return reverse("public:home")

    def items(self):
        return feeds.entries(queries.publication_history(latest=LATEST))


class YearTypeFeed(PublicationFeed):
    def get_object(self, request, year, type_code):
        return year, get_object_or_404(OrganisationType, code=type_code)

    def title(self, obj):
        year, kind = obj
        return f"NHS performance ratings: {(kind.plural_name or kind.name).lower()}, {format_year(year)}"

    def link(self, obj):
        year, kind = obj
        return reverse("public:browse", args=[year]) + f"?type={kind.code}"

    def items(self, obj):
        year, kind = obj
        runs = queries.publication_history(year=year, type_code=kind.code)
        if not runs:
            raise Http404("Nothing of these ratings has been published.")
        return feeds.entries(runs)


class OrganisationFeed(PublicationFeed):
    def get_object(self, request, code):
        return get_object_or_404(Organisation, code=code)

    def title(self, organisation):
        return f"{organisation.name}: NHS performance ratings"

    def link(self, organisation):
        return reverse("public:latest_report_card", args=[organisation.code])

    def items(self, organisation):
        return feeds.entries(queries.publication_history(organisation=organisation), organisation=organisation)

    def item_link(self, entry):
        return reverse("public:report_card", args=[entry.organisation_code, entry.year])


class AnnouncementsFeed(Feed):
    """The release calendar's announcements: each publication announced ahead
    (year, organisation type, time), nothing of its content; an entry leaves
    the feed at its time, when the publications feed takes it up."""

    feed_type = Atom1Feed
    title = "NHS performance ratings: announced publications"
    subtitle = "When ratings will be published, announced ahead (UK time)."

    def link(self):
        return reverse("public:releases")

    def items(self):
        return releases.announcements(queries.announced_releases())

    def item_title(self, announcement):
        return f"{announcement.title}: to be published {uk_time(announcement.at)}"

    def item_description(self, announcement):
        return (f"{announcement.title} will be published at {uk_time(announcement.at, 'clock')} on "
                f"{long_date(announcement.at)}.")

    def item_link(self, announcement):
        return reverse("public:releases") + "#announced"

    def item_guid(self, announcement):
        # Rescheduling changes the guid: a new announcement, not an edit a reader may miss.
        return f"urn:trafficlights:release-{announcement.year}-{announcement.type_code}-{int(announcement.at.timestamp())}"

    item_guid_is_permalink = False

    def item_pubdate(self, announcement):
        return announcement.announced_at or announcement.at

    def item_updateddate(self, announcement):
        return announcement.announced_at or announcement.at
