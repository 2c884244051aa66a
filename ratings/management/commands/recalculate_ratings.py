import json

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count

from indicators.years import format_year, parse_year
from ratings import actions, bands
from ratings.models import Rating, RatingRun


class Command(BaseCommand):
    help = ("Compute a new draft rating run for each organisation type for a year, optionally after setting the "
            "year's method parameters from a JSON file, and optionally publish it. Prints the band counts.")

    def add_arguments(self, parser):
        parser.add_argument("--year", required=True, help="Financial year, e.g. 2000-01.")
        parser.add_argument("--type", action="append", dest="types", help="Only this type (repeatable).")
        parser.add_argument("--scheme", help="JSON file of parameters, keyed by the method's parameter names.")
        parser.add_argument("--publish", action="store_true", help="Publish the new runs now.")
        parser.add_argument("--unless-published", action="store_true",
                            help="Do nothing for a year whose ratings are already published (make run uses this, "
                                 "so running it again changes nothing public).")
        parser.add_argument("--note", default="", help="With --publish, when the year was published before: what "
                                                       "this corrects (shown on report cards with its date).")

    def handle(self, *, year, types, scheme, publish, note, unless_published, **options):
        try:
            year = parse_year(year)
        except ValueError as error:
            raise CommandError(f"--year: {error}") from None
        if unless_published and RatingRun.objects.published().filter(year=year).exists():
            self.stdout.write(f"{format_year(year)}: already published; nothing done.")
            return
        if scheme:
            try:
                with open(scheme, encoding="utf-8") as handle:
                    values = json.load(handle)
            except (OSError, ValueError) as error:
                raise CommandError(f"{scheme}: cannot be read as JSON ({error}).") from None
            if not isinstance(values, dict):
                raise CommandError(f"{scheme}: must hold a JSON object of parameter names and values.")
            try:
                actions.update_scheme(year=year, values=values)
            except ValidationError as error:
                raise CommandError(f"{scheme}: {actions.describe_error(error)}") from None
        try:
            runs = actions.recalculate(year=year, type_codes=[t.upper() for t in types or []], publish=publish,
                                        note=note)
        except actions.RecalculationError as error:
            raise CommandError(f"{format_year(year)}: {error}") from None
        if not runs:
            self.stdout.write(f"{format_year(year)}: no organisations to rate.")
        for run in runs:
            counts = dict(Rating.objects.filter(run=run).values_list("band").annotate(n=Count("id")))
            self.stdout.write(
                f"{run.organisation_type.code} {format_year(year)} run {run.pk} ({run.status}): "
                + ", ".join(f"{counts.get(band.code, 0)} {band.word.lower()}" for band in bands.BANDS))
