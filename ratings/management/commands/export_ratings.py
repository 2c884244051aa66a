from django.core.management.base import BaseCommand, CommandError

from indicators.years import format_year, parse_year
from ratings.exports import rating_rows, write_csv
from ratings.models import RatingRun


class Command(BaseCommand):
    help = "Write a year's ratings as CSV, one row per organisation: the published runs, or --run ID."

    def add_arguments(self, parser):
        parser.add_argument("--year", required=True)
        parser.add_argument("--run", type=int, help="A run of that year (draft or not); default the published ones.")
        parser.add_argument("--output", required=True, help="CSV file to write.")

    def handle(self, *, year, run, output, **options):
        try:
            year = parse_year(year)
        except ValueError as error:
            raise CommandError(f"--year: {error}") from None
        runs = RatingRun.objects.filter(year=year)
        runs = runs.filter(pk=run) if run else runs.published()
        runs = list(runs)
        if not runs:
            raise CommandError(f"Run {run} is not a run of {format_year(year)}." if run else
                               f"No ratings for {format_year(year)} are published; give --run ID for a draft.")
        try:
            with open(output, "w", newline="", encoding="utf-8") as handle:
                count = write_csv(rating_rows(runs), handle)
        except OSError as error:
            raise CommandError(f"{output}: cannot be written ({error.strerror}).") from None
        self.stdout.write(f"Wrote {count} ratings to {output}.")
