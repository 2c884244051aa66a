from django.core.management.base import BaseCommand, CommandError

from indicators.years import format_year
from ratings.models import RatingRun
from ratings.verification import verify


class Command(BaseCommand):
    help = ("Recompute a stored run from its frozen parameters and indicator definitions and the figures as they "
            "were when it was computed (the results' history), and report any difference from its stored ratings.")

    def add_arguments(self, parser):
        parser.add_argument("run", type=int, help="The run's id.")

    def handle(self, *, run, **options):
        stored = RatingRun.objects.select_related("organisation_type").filter(pk=run).first()
        if stored is None:
            raise CommandError(f"There is no run {run}.")
        verification = verify(stored)
        for warning in verification.warnings:
            self.stderr.write(f"Warning: {warning}")
        what = (f"Run {run} ({stored.organisation_type.code} {format_year(stored.year)}, "
                f"{stored.get_status_display().lower()}, {verification.ratings} ratings)")
        if not verification.differences:
            self.stdout.write(f"{what}: recomputed from its frozen parameters and definitions and the figures held "
                              f"at {stored.created_at:%Y-%m-%d %H:%M:%S}: no differences.")
            return
        for difference in verification.differences:
            self.stdout.write(str(difference))
        raise CommandError(f"{what}: {len(verification.differences)} difference(s).")
