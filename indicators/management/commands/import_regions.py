from django.core.management.base import BaseCommand

from indicators import actions
from indicators.reference_files import validate_regions

from ._files import read_file_table, refuse


class Command(BaseCommand):
    help = "Add or update regions from a CSV file with columns code,name,area."

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *, file, **options):
        rows, problems = validate_regions(read_file_table(file))
        if problems:
            refuse(file, problems, self.stderr)
        self.stdout.write(f"Regions: {actions.import_regions(rows=rows)}.")
