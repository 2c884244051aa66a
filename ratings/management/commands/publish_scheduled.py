from django.core.management.base import BaseCommand

from ratings.actions import settle_scheduled_runs


class Command(BaseCommand):
    help = ("Record as published the scheduled runs whose time has passed. The public site shows them at "
            "their time anyway; run this from a timer (every minute) to keep the statuses tidy.")

    def handle(self, **options):
        for run in settle_scheduled_runs():
            self.stdout.write(f"{run}: published as scheduled.")
