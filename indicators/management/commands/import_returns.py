from pathlib import Path

from django.core.management.base import BaseCommand

from indicators import actions, queries
from indicators.returns import parse_return

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
        # Not the upload page's size and row limits, nor its region and year
        # rules: the command acts as an admin, on a file already on the server
        # (a national return, or a 10,000-organisation benchmark demo).
        content = read_file(file)
        parsed = parse_return(content, file, queries.returns_reference())
        for note in parsed.notes:
            self.stdout.write(f"{Path(file).name}: {note}")
        if not parsed.ok:
            refuse(file, parsed.problems, self.stderr)
        summary = actions.apply_return(rows=parsed.rows, filename=Path(file).name, synthetic=synthetic,
                                       dry_run=dry_run)
        blank = f", {parsed.blank_values} blank values skipped" if parsed.blank_values else ""
        verb = "Dry run, nothing stored" if dry_run else "Stored"
        self.stdout.write(f"{verb}: {summary}{blank}.")
