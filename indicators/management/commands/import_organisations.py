from django.core.management.base import BaseCommand

from indicators import actions, queries
from indicators.reference_files import validate_organisations

from ._files import read_file_table, refuse


class Command(BaseCommand):
    help = ("Add organisations, or update their names, dates and successors, from a CSV file with columns "
            "code,name,type,region and optionally opened,closed,successor. Never deletes.")

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *, file, **options):
        rows, problems = validate_organisations(read_file_table(file), **queries.organisation_file_context())
        if problems:
            refuse(file, problems, self.stderr)
        self.stdout.write(f"Organisations: {actions.import_organisations(rows=rows)}.")
