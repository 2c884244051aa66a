"""The fact-check window before release: an admin opens it for a year's draft
runs (every type, or chosen ones) until a closing time; meanwhile each
organisation's staff see their own draft report card and may challenge its
figures or statements; admins resolve each challenge. Models of the ratings
app, imported by `ratings.models` (import them from there)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from indicators.years import format_year


class FactCheckWindowQuerySet(models.QuerySet):
    def open(self, at=None):
        """Windows open at `at` (now by default): not closed by an admin, closing time not reached (twin: `is_open`)."""
        return self.filter(closed_at__isnull=True, closes_at__gt=at or timezone.now())

    def due(self, at=None):
        """Windows past their closing time not yet recorded as closed (twin: `is_due`)."""
        return self.filter(closed_at__isnull=True, closes_at__lte=at or timezone.now())

    def covering(self, organisation_type_id: int):
        """Windows of every type, or naming this one."""
        return self.filter(Q(organisation_types__isnull=True) | Q(organisation_types=organisation_type_id)).distinct()


class FactCheckWindow(models.Model):
    """A year's draft runs shown to the organisations they rate, until `closes_at`."""

    year = models.PositiveSmallIntegerField()
    organisation_types = models.ManyToManyField(
        "indicators.OrganisationType", blank=True, related_name="fact_check_windows",
        help_text="The types whose drafts are shown; none chosen means every type.")
    closes_at = models.DateTimeField(help_text="When the window closes (entered and shown in UK time).")
    opened_at = models.DateTimeField(auto_now_add=True)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    closed_at = models.DateTimeField(null=True, blank=True, help_text="When it was recorded as closed.")
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+", help_text="The admin who closed it; empty when it reached "
                                                              "its closing time.")

    objects = FactCheckWindowQuerySet.as_manager()

    class Meta:
        ordering = ["-opened_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["year"], condition=Q(closed_at__isnull=True),
                                    name="one_unclosed_fact_check_window_per_year"),
        ]

    def __str__(self):
        return f"Fact-check window {self.pk} for {format_year(self.year)}"

    def is_open(self, at=None) -> bool:
        """Twin of `FactCheckWindow.objects.open()`."""
        return self.closed_at is None and self.closes_at > (at or timezone.now())

    def is_due(self, at=None) -> bool:
        """Twin of `FactCheckWindow.objects.due()`."""
        return self.closed_at is None and self.closes_at <= (at or timezone.now())


# Attachments: what a challenge may carry, and how much of it.
ATTACHMENT_TYPES = {".pdf": "application/pdf", ".csv": "text/csv",
                    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg"}
ATTACHMENT_MAX_BYTES = 5 * 1024 * 1024


class Challenge(models.Model):
    """An organisation's challenge to a figure or a statement of its draft card."""

    class Status(models.TextChoices):
        OPEN = "open", "Open: waiting for an admin"
        ACCEPTED = "accepted", "Accepted"
        REJECTED = "rejected", "Rejected"

    window = models.ForeignKey(FactCheckWindow, on_delete=models.PROTECT, related_name="challenges")
    run = models.ForeignKey("ratings.RatingRun", on_delete=models.PROTECT, related_name="challenges",
                            help_text="The draft run whose card was challenged.")
    organisation = models.ForeignKey("indicators.Organisation", on_delete=models.PROTECT,
                                     related_name="challenges")
    indicator = models.ForeignKey("indicators.Indicator", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="challenges", help_text="The figure challenged, if a figure.")
    figure_year = models.PositiveSmallIntegerField(null=True, blank=True)
    proposed_value = models.FloatField(null=True, blank=True, help_text="What the organisation says it is.")
    statement = models.TextField(blank=True, help_text="The statement challenged, if a statement.")
    reason = models.TextField()
    attachment = models.BinaryField(null=True, blank=True, editable=False,
                                    help_text="Kept in the database with the challenge, served only to those "
                                              "who may see it.")
    attachment_name = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="challenges")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    resolution = models.TextField(blank=True, help_text="Why it was rejected, or what was corrected.")
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    correction = models.ForeignKey("indicators.ReturnImport", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="challenges", help_text="The correction an accepted figure "
                                                                        "was stored by.")

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=["open", "accepted", "rejected"]),
                                   name="challenge_status_valid"),
            models.CheckConstraint(
                condition=(Q(indicator__isnull=False, figure_year__isnull=False, proposed_value__isnull=False)
                           | Q(indicator__isnull=True, figure_year__isnull=True, proposed_value__isnull=True)
                           & ~Q(statement="")),
                name="challenge_is_of_a_figure_or_a_statement"),
            models.CheckConstraint(condition=Q(status="open") | Q(resolved_at__isnull=False) & ~Q(resolution=""),
                                   name="challenge_resolved_with_a_reason"),
        ]

    def __str__(self):
        return f"Challenge {self.pk} by {self.organisation_id} ({self.status})"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    @property
    def is_figure(self) -> bool:
        return self.indicator_id is not None

    def subject(self) -> str:
        """What is challenged, in words."""
        if self.is_figure:
            return (f"The {format_year(self.figure_year)} value for {self.indicator.code} is "
                    f"{self.proposed_value:g}")
        return f"“{self.statement}”"

    def outcome(self) -> str:
        """What the decision did, in words true of the stored records: an
        accepted figure was corrected (and its year recalculated); an accepted
        statement records the decision only."""
        if self.is_open:
            return "Open: waiting for an admin."
        if self.status == self.Status.REJECTED:
            return "Rejected: no figure was changed."
        if self.correction_id is not None:
            return (f"Accepted: the {format_year(self.figure_year)} value for {self.indicator.code} was corrected "
                    f"to {self.proposed_value:g}, and {format_year(self.run.year)} is recalculated as a new draft.")
        return "Accepted: the decision is recorded; no figure was changed and the draft card is not recalculated."
