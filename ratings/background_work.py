"""Work the background worker (`manage.py db_worker`) carries out for an
admin: recalculations and what-ifs, with their status and progress. Models
of the ratings app, imported by `ratings.models` (import them from there)."""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from indicators.years import format_year


class BackgroundWork(models.Model):
    """Work the background worker (`manage.py db_worker`) carries out for an
    admin: its status and progress, for the admin's page to follow. While it
    runs, a heartbeat thread in the worker refreshes `heartbeat_at`, so a
    worker that died is recognised within RECALCULATION_STALE_MINUTES."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting for the worker"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Finished"
        FAILED = "failed", "Failed"

    ACTIVE = (Status.QUEUED, Status.RUNNING)

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="%(class)ss")
    requested_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(
        null=True, blank=True, help_text="When its worker last said it was alive (every "
                                         "RECALCULATION_HEARTBEAT_SECONDS while it runs), or when it was queued.")
    step = models.CharField(max_length=200, blank=True, help_text="What it is doing now, or did last.")
    steps_done = models.PositiveSmallIntegerField(default=0)
    steps_total = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    task_id = models.CharField(max_length=64, blank=True, help_text="The background task's id, when queued.")

    class Meta:
        abstract = True

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE

    @property
    def percent_done(self) -> int:
        if self.status == self.Status.SUCCEEDED:
            return 100
        return round(100 * self.steps_done / self.steps_total) if self.steps_total else 0

    @property
    def progress_sentence(self) -> str:
        """Its state in one sentence, each word once: "Waiting for the worker",
        "Running: Rating HA (step 2 of 5)", "Finished: 2 draft runs (step 4 of 4)":
        the step only when it says more than the status, the count only once
        there are steps."""
        label, step = self.get_status_display(), self.step.strip()
        if not step or step.casefold() == label.casefold():
            text = label
        elif step.casefold().startswith(label.casefold()):  # "Finished: 2 draft runs" says the status itself
            text = step
        else:
            text = f"{label}: {step}"
        return text + (f" (step {self.steps_done} of {self.steps_total})" if self.steps_total else "")

    @property
    def is_stale(self) -> bool:
        """Whether its worker is taken to have died: running with no heartbeat
        for RECALCULATION_STALE_MINUTES, or queued and started by no worker
        within RECALCULATION_QUEUED_MINUTES."""
        if not self.is_active or self.heartbeat_at is None:
            return False
        return self.heartbeat_at < timezone.now() - stale_after(self.status)


def stale_after(status: str) -> timedelta:
    """How long work in this status may stay silent before it is taken to be dead."""
    if status == BackgroundWork.Status.QUEUED:
        return timedelta(minutes=settings.RECALCULATION_QUEUED_MINUTES)
    return timedelta(minutes=settings.RECALCULATION_STALE_MINUTES)


class Recalculation(BackgroundWork):
    """A request to recalculate a year's draft runs: the background worker
    carries it out and records its progress here, for the admin page to show.
    At most one per year is queued or running, so two admins asking at once
    get one computation, and a command-line recalculation waits its turn."""

    year = models.PositiveSmallIntegerField()
    type_codes = models.JSONField(default=list, blank=True, help_text="Organisation types to rate; empty means all.")
    publish = models.BooleanField(default=False, help_text="Publish the runs at once when computed (the command line's --publish).")
    runs = models.ManyToManyField("ratings.RatingRun", blank=True, related_name="recalculations")

    class Meta:
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["year"], condition=Q(status__in=["queued", "running"]),
                                    name="one_active_recalculation_per_year"),
            models.CheckConstraint(condition=Q(status__in=["queued", "running", "succeeded", "failed"]),
                                   name="recalculation_status_valid"),
        ]

    def __str__(self):
        return f"Recalculation {self.pk} of {format_year(self.year)} ({self.status})"


class WhatIf(BackgroundWork):
    """A what-if asked for by an admin: the year's data rated under other
    parameters against the method as set, computed by the background worker.
    Its answer is kept here (each organisation's outcome on both sides) for
    the admin to read; nothing is published or audited."""

    year = models.PositiveSmallIntegerField()
    base_parameters = models.JSONField(help_text="The year's method as set when it was asked for.")
    parameters = models.JSONField(help_text="The parameters tried.")
    type_codes = models.JSONField(default=list, help_text="The organisation types rated.")
    outcomes = models.JSONField(
        default=dict, blank=True,
        help_text='The answer: {"before": {organisation id: outcome}, "after": {...}}, each outcome a list in '
                  "the order of band_changes.Outcome's fields.")

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = "what-if"
        constraints = [
            models.CheckConstraint(condition=Q(status__in=["queued", "running", "succeeded", "failed"]),
                                   name="whatif_status_valid"),
        ]

    def __str__(self):
        return f"What-if {self.pk} of {format_year(self.year)} ({self.status})"


class CertaintyChunkQuerySet(models.QuerySet):
    def stale(self, now=None) -> "CertaintyChunkQuerySet":
        """Running, with no heartbeat for CERTAINTY_CHUNK_STALE_SECONDS: its
        worker is taken to have died (killed, out of memory, the machine lost)."""
        cutoff = (now or timezone.now()) - timedelta(seconds=settings.CERTAINTY_CHUNK_STALE_SECONDS)
        return self.filter(Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True, started_at__lt=cutoff),
                           status=CertaintyChunk.Status.RUNNING)


class CertaintyChunk(models.Model):
    """One chunk of a run's band-certainty simulation: draws first_draw to
    stop_draw - 1 (blocks of one PCG64 stream, so any worker can compute any
    chunk), queued as a task of its own so several workers share one run. Its
    partial result (combinable with the others') is kept until the last chunk
    to finish combines them all into the run's ratings. While a worker
    computes it, a heartbeat thread refreshes `heartbeat_at`; a running chunk
    silent for CERTAINTY_CHUNK_STALE_SECONDS is taken to have died with its
    worker and is queued again (`actions.certainty.requeue_stale_chunks`)."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting for a worker"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    run = models.ForeignKey("ratings.RatingRun", on_delete=models.CASCADE, related_name="certainty_chunks")
    index = models.PositiveIntegerField()
    first_draw = models.PositiveIntegerField()
    stop_draw = models.PositiveIntegerField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0, help_text="How many times a worker has started it.")
    partial = models.BinaryField(null=True, blank=True, editable=False,
                                 help_text="Its partial result, as numpy arrays (npz, no pickles).")
    error = models.TextField(blank=True, help_text="Why its last attempt failed.")
    task_id = models.CharField(max_length=64, blank=True, help_text="The background task's id, when queued.")
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(
        null=True, blank=True, help_text="While it runs, when its worker last said it was alive (every "
                                         "RECALCULATION_HEARTBEAT_SECONDS).")
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = CertaintyChunkQuerySet.as_manager()

    class Meta:
        ordering = ["run", "index"]
        constraints = [
            models.UniqueConstraint(fields=["run", "index"], name="one_certainty_chunk_per_index"),
            models.CheckConstraint(condition=Q(first_draw__lt=models.F("stop_draw")),
                                   name="certainty_chunk_draws_not_empty"),
            models.CheckConstraint(condition=Q(status__in=["queued", "running", "done", "failed"]),
                                   name="certainty_chunk_status_valid"),
        ]

    def __str__(self):
        return f"Certainty chunk {self.index} (draws {self.first_draw}-{self.stop_draw - 1}) of run {self.run_id}"
