import json
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = ("Load a data set written by generate_demo (default fixtures/demo) through the import commands. "
            "Its figures are marked synthetic when its dataset.json says so. Safe to run again.")

    def add_arguments(self, parser):
        parser.add_argument("folder", nargs="?", default="fixtures/demo")

    def handle(self, *, folder, **options):
        folder = Path(folder)
        try:
            manifest = json.loads((folder / "dataset.json").read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise CommandError(f"{folder / 'dataset.json'}: cannot be read ({error}).") from None
        for name in ("regions", "organisations", "indicators"):
            call_command(f"import_{name}", str(folder / f"{name}.csv"), stdout=self.stdout, stderr=self.stderr)
        returns_options = {"synthetic": True} if manifest.get("synthetic") is True else {}
        call_command("import_returns", str(folder / "returns.csv"), stdout=self.stdout, stderr=self.stderr,
                     **returns_options)
