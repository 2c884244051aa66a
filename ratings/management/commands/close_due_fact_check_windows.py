from django.core.management.base import BaseCommand

from ratings.actions import close_due_windows


class Command(BaseCommand):
    help = ("Close the fact-check windows whose closing time has passed, and email their organisations' staff. "
            "Nothing of a draft is shown after the closing time anyway; run this from a timer (every few "
            "minutes) so the closing is recorded and announced.")

    def handle(self, **options):
        for window in close_due_windows():
            self.stdout.write(f"{window}: closed at its closing time.")
