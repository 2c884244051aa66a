from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from indicators import actions, queries
from indicators.returns import parse_return
from indicators.uploads import rows_problem, size_problem

from ._files import read_file, refuse


class Command(BaseCommand):
    help = ("Import indicator results from a CSV or .xlsx return with columns organisation_code,indicator_code,"
            "year,value and optionally numerator,denominator. All or nothing: any problem stores nothing.")

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true", help="Validate and count, but store nothing.")
        parser.add_argument("--synthetic", action="store_true",
                            help="Mark the figures as made up (demo data); the site then says so.")

    def handle(self, *, file, dry_run, synthetic, **options):
        # The upload page's limits, without its region and year rules: the command acts as an admin.
        content = read_file(file)
        too_large = size_problem(len(content), settings.RETURNS_MAX_UPLOAD_BYTES)
        if too_large:
            refuse(file, [too_large], self.stderr)
        parsed = parse_return(content, file, queries.returns_reference())
        too_many = rows_problem(len(parsed.rows) + parsed.blank_values, settings.RETURNS_MAX_ROWS)
        if too_many:
            refuse(file, [too_many], self.stderr)
        for note in parsed.notes:
            self.stdout.write(f"{Path(file).name}: {note}")
        if not parsed.ok:
            refuse(file, parsed.problems, self.stderr)
        summary = actions.apply_return(rows=parsed.rows, filename=Path(file).name, synthetic=synthetic,
                                       dry_run=dry_run)
        blank = f", {parsed.blank_values} blank values skipped" if parsed.blank_values else ""
        verb = "Dry run, nothing stored" if dry_run else "Stored"
        self.stdout.write(f"{verb}: {summary}{blank}.")
