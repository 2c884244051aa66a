from django.core.management.base import BaseCommand

from indicators import actions, queries
from indicators.reference_files import validate_indicators

from ._files import read_file_table, refuse


class Command(BaseCommand):
    help = ("Add or update indicators from a CSV file with columns code,name,kind,domain,direction,"
            "organisation_types and optionally weight,core_threshold,adjust_for_deprivation,unit,description,source.")

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *, file, **options):
        rows, problems = validate_indicators(read_file_table(file), type_codes=queries.organisation_type_codes())
        if problems:
            refuse(file, problems, self.stderr)
        self.stdout.write(f"Indicators: {actions.import_indicators(rows=rows)}.")
