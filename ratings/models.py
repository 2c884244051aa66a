"""Rating schemes (a year's method parameters), rating runs (one computation
for a year and organisation type, never edited afterwards) and ratings; the
background worker's recalculations and what-ifs are in `background_work`."""

import dataclasses

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone

from indicators.models import Indicator, Organisation, OrganisationType
from indicators.years import FIRST_YEAR, LAST_YEAR, format_year

from . import bands
from .background_work import BackgroundWork, CertaintyChunk, Recalculation, WhatIf, stale_after  # noqa: F401
from .fact_checks import Challenge, FactCheckWindow  # noqa: F401
from .parameters import DOMAINS, SchemeParameters, parameter_problems


def default_domain_weights():
    return {domain: 1.0 for domain in DOMAINS}


class RatingScheme(models.Model):
    """The method's parameters for one year. Defaults are the spec's."""

    year = models.PositiveSmallIntegerField(unique=True)
    green_share = models.FloatField(
        default=0.25, help_text="At most this share of the rated organisations of a type are green (0 to 1).")
    red_core_failures = models.PositiveSmallIntegerField(
        default=2, help_text="Failing this many core national targets or more makes an organisation red.")
    improvement_weight = models.FloatField(
        default=0.25, help_text="Weight of year-on-year improvement in the final score (0 to 1).")
    value_added = models.BooleanField(
        default=True, help_text="Adjust flagged indicators for the deprivation of the population served.")
    deprivation_indicator = models.CharField(
        max_length=40, default="DEPRIVATION", help_text="Code of the context indicator used for the adjustment.")
    min_coverage = models.FloatField(
        default=0.5, help_text="Share of applicable indicators an organisation must report to be rated (0 to 1).")
    clip_z = models.FloatField(default=3.0, help_text="Standardised scores are clipped to plus or minus this.")
    domain_weights = models.JSONField(
        default=default_domain_weights, help_text="Weight of each domain in the overall score.")
    missing_core_data = models.CharField(
        max_length=10, default="failure",
        choices=[("failure", "A failure, labelled \"no data\""), ("not_green", "Not a failure, but rules out green")],
        help_text="How a missing core target figure counts.")
    uncertainty_draws = models.PositiveIntegerField(
        default=2000, help_text="Simulated draws for band certainty (0 = none): how sure each band is.")
    uncertainty_seed = models.PositiveIntegerField(
        default=2000, help_text="Seed of the band certainty draws (one PCG64 stream), so they can be reproduced.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-year"]
        constraints = [
            models.CheckConstraint(condition=Q(green_share__gt=0, green_share__lte=1), name="scheme_green_share_valid"),
            models.CheckConstraint(condition=Q(min_coverage__gt=0, min_coverage__lte=1),
                                   name="scheme_min_coverage_valid"),
            models.CheckConstraint(condition=Q(improvement_weight__gte=0, improvement_weight__lte=1),
                                   name="scheme_improvement_weight_valid"),
            models.CheckConstraint(condition=Q(red_core_failures__gte=1), name="scheme_red_core_failures_valid"),
            models.CheckConstraint(condition=Q(clip_z__gt=0), name="scheme_clip_z_valid"),
            models.CheckConstraint(condition=Q(year__gte=FIRST_YEAR, year__lte=LAST_YEAR), name="scheme_year_valid"),
            models.CheckConstraint(condition=Q(missing_core_data__in=["failure", "not_green"]),
                                   name="scheme_missing_core_data_valid"),
        ]

    def __str__(self):
        return f"Rating scheme for {format_year(self.year)}"

    # The engine's parameters are the model's: one list, so neither can drift.
    PARAMETER_NAMES = tuple(field.name for field in dataclasses.fields(SchemeParameters))

    def parameter_values(self) -> dict:
        return {name: getattr(self, name) for name in self.PARAMETER_NAMES}

    def parameters(self) -> SchemeParameters:
        return SchemeParameters(**self.parameter_values())

    def clean(self):
        errors = parameter_problems(self.parameter_values())
        code = self.deprivation_indicator
        if "deprivation_indicator" not in errors:
            kind = Indicator.objects.filter(code=code).values_list("kind", flat=True).first()
            if kind is None:
                errors["deprivation_indicator"] = f"There is no indicator with the code {code}."
            elif kind != Indicator.Kind.CONTEXT:
                errors["deprivation_indicator"] = f"{code} is a {kind} indicator; it must be a context indicator."
        if errors:
            raise ValidationError({name: ValidationError(message, code="invalid")
                                   for name, message in errors.items()})


class RatingRunQuerySet(models.QuerySet):
    """Which runs the public sees, in SQL. A filter with a Python twin on
    RatingRun names it; tests/ratings/test_publication_state.py checks that
    every pair agrees on every status and time."""

    def drafts(self):
        """Runs not yet published nor scheduled (twin: `is_draft`)."""
        return self.filter(status=RatingRun.Status.DRAFT)

    def publication_candidates(self):
        """Runs that are public, or will be at their publication time (twin: `can_withdraw`)."""
        return self.filter(status__in=RatingRun.CANDIDATE_STATUSES, published_at__isnull=False)

    def published(self, at=None):
        """The runs the public may see at a time (now by default): candidates
        whose publication time has passed, with no later such run for the same
        year and type (a scheduled run replaces the published one at its time,
        with no job needing to run). The one filter every public path uses; a
        missing publication time counts as unpublished."""
        at = at or timezone.now()
        later = RatingRun.objects.reached(at).filter(
            Q(published_at__gt=OuterRef("published_at")) | Q(published_at=OuterRef("published_at"), pk__gt=OuterRef("pk")),
            year=OuterRef("year"), organisation_type=OuterRef("organisation_type"))
        return self.reached(at).exclude(Exists(later))

    def reached(self, at):
        """Candidates whose publication time has come by `at`."""
        return self.publication_candidates().filter(published_at__lte=at)

    def due(self, at):
        """Scheduled runs whose time has come by `at`, still to be recorded as published (twin: `is_due`)."""
        return self.filter(status=RatingRun.Status.SCHEDULED, published_at__lte=at)

    def ever_public(self, at=None):
        """Runs the public could see at some time up to `at` (now by default):
        the published ones, those a later one replaced, and those withdrawn
        after their publication time (a run withdrawn while still scheduled
        never was public). Twin: `was_public`."""
        at = at or timezone.now()
        shown = Q(status__in=RatingRun.SHOWN_STATUSES)
        withdrawn_after_release = Q(status=RatingRun.Status.WITHDRAWN, published_at__lte=F("withdrawn_at"))
        return self.filter(shown | withdrawn_after_release, published_at__isnull=False, published_at__lte=at)


class RatingRun(models.Model):
    """One computation of the ratings of one organisation type for one year:
    the parameters and engine version it used are frozen with it."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SCHEDULED = "scheduled", "Scheduled"
        PUBLISHED = "published", "Published"
        SUPERSEDED = "superseded", "Superseded"
        WITHDRAWN = "withdrawn", "Withdrawn"

    year = models.PositiveSmallIntegerField()
    organisation_type = models.ForeignKey(OrganisationType, on_delete=models.PROTECT, related_name="rating_runs")
    parameters = models.JSONField(help_text="The scheme parameters used, frozen.")
    definitions = models.JSONField(
        default=dict, blank=True,
        help_text="The indicator definitions used, frozen (read by `frozen_definitions`): those in force in the "
                  "year that apply to the type.")
    engine_version = models.CharField(max_length=20)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="rating_runs")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="published_rating_runs")
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawal_reason = models.TextField(blank=True)
    revision_note = models.TextField(
        blank=True, help_text="What this publication corrects, when it replaces ratings already made public; "
                              "report cards show it as \"Corrected on (date): (note)\".")
    rated_count = models.PositiveIntegerField(default=0)
    green_quota = models.PositiveIntegerField(default=0)
    green_cutoff = models.FloatField(null=True, blank=True)
    indicator_summary = models.JSONField(
        default=dict, help_text='Peers per indicator: {indicator: {"n", "median", "z": [z-scores, best first]}}, '
                                "so a report card can place an organisation among its peers without reading them all.")
    peer_medians = models.JSONField(
        null=True, blank=True, help_text="{indicator: median of the peers' reported values}: what a report card "
                                         "shows of `indicator_summary`; null on runs stored before it was kept.")
    compared_with = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        help_text="The previous year's published run of the type that its ratings' band changes were explained "
                  "against (the decomposition); null when there was none.")

    funnels = models.JSONField(
        default=dict, blank=True,
        help_text="{indicator: {measure, multiplier, direction, p0, phi, tau2, organisations, numerator, "
                  "denominator, counts: {classification: organisations}, limits: [z 95%, z 99.8%]}}: the funnel "
                  "limits of each indicator with a measure and counts (`ratings.funnels`), computed with the run; "
                  "empty on runs stored before they were kept.")

    class Certainty(models.TextChoices):
        NONE = "none", "Not simulated (no draws)"
        PENDING = "pending", "Being simulated"
        COMPLETE = "complete", "Complete"
        FAILED = "failed", "Failed"

    # Band certainty (spec, "Band certainty"): simulated on the worker after the
    # bands, in chunks of draws (CertaintyChunk); the draws and seed are the
    # frozen parameters' uncertainty_draws and uncertainty_seed.
    certainty_state = models.CharField(
        max_length=10, choices=Certainty.choices, default=Certainty.NONE,
        help_text="Whether each rating's certainty is stored: a pending or failed run cannot be published.")
    certainty_error = models.TextField(blank=True, help_text="Why the simulation failed, when it did.")
    area_split = models.JSONField(
        default=dict, blank=True,
        help_text='The permutation test of the north/south split of green and red (`area_split`), of the bands '
                  'as published and without the value-added adjustment: {"published": {...}, "unadjusted": {...}}.')
    change_baseline = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text="The year before's published run (when the simulation began) whose bands each rating's P(real) "
                  "of a band change compares with.")

    objects = RatingRunQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "organisation_type", "-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["year", "organisation_type"], condition=Q(status="published"),
                                    name="one_published_run_per_year_and_type"),
            models.UniqueConstraint(fields=["year", "organisation_type"], condition=Q(status="scheduled"),
                                    name="one_scheduled_run_per_year_and_type"),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "scheduled", "published", "superseded", "withdrawn"]),
                name="run_status_valid"),
            models.CheckConstraint(condition=Q(certainty_state__in=["none", "pending", "complete", "failed"]),
                                   name="run_certainty_state_valid"),
            # Never public with half its certainty (the publication actions refuse it first, in words).
            models.CheckConstraint(condition=~Q(status__in=["published", "scheduled"])
                                   | Q(certainty_state__in=["none", "complete"]), name="run_public_with_certainty"),
            models.CheckConstraint(condition=~Q(status__in=["published", "scheduled"]) | Q(published_at__isnull=False),
                                   name="published_run_has_publication_time"),
        ]

    def __str__(self):
        return f"{self.organisation_type.code} {format_year(self.year)} run {self.pk} ({self.status})"

    # Publication state: what the actions, the admin pages and their templates
    # decide about a run, each rule written once. Those also written as SQL
    # (RatingRunQuerySet) name their twin there.

    # Published or scheduled: the year and type's publication, now or at its time.
    CANDIDATE_STATUSES = (Status.PUBLISHED, Status.SCHEDULED)
    # Shown to the public once their time has come (a superseded run was shown until replaced).
    SHOWN_STATUSES = (Status.PUBLISHED, Status.SCHEDULED, Status.SUPERSEDED)

    @property
    def is_draft(self) -> bool:
        """Not yet published nor scheduled (twin: `drafts()`)."""
        return self.status == self.Status.DRAFT

    @property
    def is_scheduled(self) -> bool:
        """Waiting for its publication time (which may have passed: see `is_due`)."""
        return self.status == self.Status.SCHEDULED

    @property
    def is_published(self) -> bool:
        """The year and type's current publication (status only: whether the
        public sees it at a moment is `RatingRun.objects.published()`)."""
        return self.status == self.Status.PUBLISHED

    @property
    def is_withdrawn(self) -> bool:
        return self.status == self.Status.WITHDRAWN

    @property
    def can_publish(self) -> bool:
        """A draft, or a scheduled run (published now, or rescheduled); the admin compares these too."""
        return self.is_draft or self.is_scheduled

    @property
    def certainty_ready(self) -> bool:
        """Its certainty is complete, or none was asked for (no draws): it may be published."""
        return self.certainty_state in (self.Certainty.NONE, self.Certainty.COMPLETE)

    @property
    def can_withdraw(self) -> bool:
        """Published or scheduled: a publication candidate (twin: `publication_candidates()`)."""
        return self.status in self.CANDIDATE_STATUSES and self.published_at is not None

    def is_due(self, at) -> bool:
        """Scheduled, and its time has come by `at` (twin: `due()`)."""
        return self.is_scheduled and self.published_at is not None and self.published_at <= at

    def was_public(self, at) -> bool:
        """Whether the public could see it at some time up to `at`: replacing it
        is a correction (twin: `ever_public()`)."""
        if self.published_at is None or self.published_at > at:
            return False
        if self.is_withdrawn:
            return self.withdrawn_at is not None and self.published_at <= self.withdrawn_at
        return self.status in self.SHOWN_STATUSES


# The choices are the band vocabulary's (ratings/bands.py): Band.GREEN == "green", labelled "Green".
Band = models.TextChoices("Band", {band.code.upper(): (band.code, band.word) for band in bands.BANDS},
                          module=__name__)


class Rating(models.Model):
    """One organisation's rating in a run: everything a report card needs to
    explain the band without recomputing anything."""

    run = models.ForeignKey(RatingRun, on_delete=models.PROTECT, related_name="ratings")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="ratings")
    band = models.CharField(max_length=10, choices=Band.choices)
    band_without_adjustment = models.CharField(
        max_length=10, choices=Band.choices,
        help_text="The band with the value-added adjustment off and everything else equal.")
    band_without_improvement = models.CharField(
        max_length=10, choices=Band.choices, default=Band.NOT_RATED,
        help_text="The band with improvement not counted (final score = level score), everything else equal.")
    score = models.FloatField(null=True, blank=True, help_text="Final score S.")
    score_without_adjustment = models.FloatField(
        null=True, blank=True, help_text="S with the value-added adjustment off and everything else equal.")
    level_score = models.FloatField(null=True, blank=True, help_text="Level score L.")
    improvement_score = models.FloatField(null=True, blank=True, help_text="Improvement score I.")
    # Step 8 of method version 2: null on ratings of version 1 runs (and on not rated organisations).
    improvement_measured = models.BooleanField(
        null=True, blank=True, help_text="Whether I was measured; when not, I = 0 (average improvement).")
    candidate_position = models.PositiveIntegerField(
        null=True, blank=True, help_text="Rank of S among the green candidates (1 = best, ties share the lower "
                                         "number); null for an organisation that was not a candidate.")
    green_quota = models.PositiveIntegerField(null=True, blank=True, help_text="q: the most that may be green.")
    green_candidates = models.PositiveIntegerField(
        null=True, blank=True, help_text="How many organisations were candidates for green.")
    domain_scores = models.JSONField(default=dict, help_text='{"level": {domain: score}, "improvement": {...}}')
    core_targets_failed = models.PositiveSmallIntegerField(null=True, blank=True)
    core_failures = models.JSONField(default=list, help_text="[{indicator, value, threshold, reason}]")
    rank = models.PositiveIntegerField(null=True, blank=True, help_text="Rank of S within the type, 1 = best.")
    green_cutoff = models.FloatField(null=True, blank=True)
    gap_to_green = models.FloatField(null=True, blank=True, help_text="The margin m: S minus the green cut-off c.")
    coverage = models.FloatField()
    not_rated_reason = models.TextField(blank=True)
    adjustments = models.JSONField(
        default=list, help_text="[{indicator, value, adjusted, deprivation, slope, status}] for flagged indicators.")
    indicator_scores = models.JSONField(
        default=dict, help_text="{indicator: [value, adjusted value, z, improvement z, numerator, denominator, "
                                "funnel classification (-2 much worse to 2 much better)]}: the last three null "
                                "without counts, and absent on ratings stored before funnels were kept.")
    peer_standings = models.JSONField(
        null=True, blank=True, help_text='{indicator: [position (1 best), peers, quarter ("top", "middle", '
                                         '"bottom")]}, computed when the run is stored so a report card reads no '
                                         "other rating; null on ratings stored before it was kept.")
    # Band certainty (spec, "Band certainty"): shares of the run's simulated
    # draws; null until the run's simulation is complete, and on runs with none.
    p_green = models.FloatField(null=True, blank=True, help_text="Share of the draws in which it came out green.")
    p_yellow = models.FloatField(null=True, blank=True, help_text="Share of the draws in which it came out yellow.")
    p_red = models.FloatField(null=True, blank=True, help_text="Share of the draws in which it came out red.")
    p_not_rated = models.FloatField(null=True, blank=True,
                                    help_text="Share of the draws in which it came out not rated.")
    certainty = models.FloatField(null=True, blank=True, help_text="P(the published band): share of the draws "
                                                                   "that gave the band it has.")
    rank_low = models.PositiveIntegerField(null=True, blank=True,
                                           help_text="2.5th percentile of its rank over the draws (best end).")
    rank_high = models.PositiveIntegerField(null=True, blank=True,
                                            help_text="97.5th percentile of its rank over the draws (worst end).")
    p_change_real = models.FloatField(
        null=True, blank=True, help_text="When its band differs from last year's published one: share of the draws "
                                         "in which the change came out in the same direction (P(real)).")
    # The decomposition (issue 16): null unless rated in the run and in `run.compared_with`.
    change_reason = models.CharField(
        max_length=20, blank=True, db_default="", default="",
        help_text="What decided a band that changed since the previous year's published rating (own, others, "
                  "method, corrections, core targets); empty for an unchanged band or none to compare.")
    decomposition = models.JSONField(
        null=True, blank=True, help_text="Why the margin over the green cut-off moved since the previous year's "
                                         "published rating: its parts and the counterfactual bands "
                                         "(`standings.ChangeExplanation`).")

    class Meta:
        ordering = ["run", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["run", "organisation"], name="one_rating_per_organisation_per_run"),
            models.CheckConstraint(condition=Q(band__in=Band.values), name="rating_band_valid"),
            models.CheckConstraint(condition=Q(band_without_adjustment__in=Band.values),
                                   name="rating_band_without_adjustment_valid"),
            models.CheckConstraint(condition=Q(band_without_improvement__in=Band.values),
                                   name="rating_band_without_improvement_valid"),
            models.CheckConstraint(condition=Q(certainty__isnull=True) | Q(certainty__gte=0, certainty__lte=1),
                                   name="rating_certainty_is_a_share"),
            models.CheckConstraint(condition=Q(rank_low__isnull=True) | Q(rank_high__isnull=True)
                                   | Q(rank_low__lte=F("rank_high")), name="rating_rank_interval_ordered"),
        ]
        # The public "What changed since last year" page: a run's changed bands, by reason.
        indexes = [models.Index(fields=["run", "change_reason"], name="rating_run_change_reason"),
                   # A run's ratings in rank order (ties by id), a page at a time: the API's and the browse
                   # page's default order within a run, read from the index instead of sorted. On PostgreSQL
                   # it also carries every other key the API filters or sorts ratings by, so a page's ids
                   # come from the index alone, never the ~7 kB rows (public/api/reads.rating_keys).
                   models.Index(fields=["run", "rank", "id"], name="rating_run_rank_keys",
                                include=["organisation", "band", "score", "certainty"])]

    def __str__(self):
        return f"{self.organisation.code}: {self.band}"


class BandConsequence(models.Model):
    """What a band means for an organisation: the freedoms of green, and the
    escalating interventions for red by consecutive red years. Edited by admins;
    the report card shows them."""

    band = models.CharField(max_length=10, choices=[(band.code, band.word) for band in bands.RATED])
    consecutive_years = models.PositiveSmallIntegerField(
        default=1, help_text="Applies from this many consecutive years in the band (the red escalation ladder).")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    position = models.PositiveSmallIntegerField(default=0, help_text="Order within the same band and step.")

    class Meta:
        ordering = ["band", "consecutive_years", "position", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(band__in=list(bands.RATED_CODES)), name="consequence_band_valid"),
            models.CheckConstraint(condition=Q(consecutive_years__gte=1), name="consequence_years_valid"),
        ]

    def __str__(self):
        return f"{self.get_band_display()} ({self.consecutive_years}+ years): {self.title}"


class AuditEntry(models.Model):
    """Who did what to the method, the runs and their publication, to who may
    upload which region's returns, and to the organisations and indicators in
    the admin, and when. Written by the actions (indicators' through
    `indicators.hooks.audited`); never edited."""

    class Action(models.TextChoices):
        SCHEME_CHANGED = "scheme_changed", "Changed the method parameters"
        SCHEME_COPIED = "scheme_copied", "Copied the method parameters"
        SCHEME_DELETED = "scheme_deleted", "Deleted the method parameters"
        RECALCULATED = "recalculated", "Recalculated (draft)"
        PUBLISHED = "published", "Published"
        SCHEDULED = "scheduled", "Scheduled publication"
        UNSCHEDULED = "unscheduled", "Cancelled a scheduled publication"
        WITHDRAWN = "withdrawn", "Withdrew"
        CORRECTED = "corrected", "Published a correction"
        RECALCULATION_REQUESTED = "recalculation_requested", "Asked for a recalculation"
        RECALCULATION_FAILED = "recalculation_failed", "Recalculation failed"
        CONSEQUENCE_CHANGED = "consequence_changed", "Changed what a band means"
        CONSEQUENCE_DELETED = "consequence_deleted", "Removed a consequence of a band"
        MEMBERSHIP_GRANTED = "membership_granted", "Gave a user a region's returns"
        MEMBERSHIP_REMOVED = "membership_removed", "Took a region's returns from a user"
        # Sent by indicators' actions (indicators.hooks.audited): the admin's edits of reference data.
        ORGANISATION_ADDED = "organisation_added", "Added an organisation"
        ORGANISATION_CHANGED = "organisation_changed", "Changed an organisation"
        ORGANISATION_DELETED = "organisation_deleted", "Deleted an organisation"
        INDICATOR_ADDED = "indicator_added", "Added an indicator"
        INDICATOR_CHANGED = "indicator_changed", "Changed an indicator"
        INDICATOR_DELETED = "indicator_deleted", "Deleted an indicator"
        DEFINITION_CHANGED = "definition_changed", "Changed an indicator's definition for a year"
        ORG_MEMBERSHIP_GRANTED = "org_membership_granted", "Made a user staff of an organisation"
        ORG_MEMBERSHIP_REMOVED = "org_membership_removed", "Took an organisation from a user"
        # The fact-check window (ratings/actions/fact_checks.py).
        FACT_CHECK_OPENED = "fact_check_opened", "Opened a fact-check window"
        FACT_CHECK_CLOSED = "fact_check_closed", "Closed a fact-check window"
        CHALLENGE_MADE = "challenge_made", "Challenged a draft report card"
        CHALLENGE_ACCEPTED = "challenge_accepted", "Accepted a challenge"
        CHALLENGE_REJECTED = "challenge_rejected", "Rejected a challenge"

    at = models.DateTimeField(auto_now_add=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                             related_name="rating_audit_entries")
    action = models.CharField(max_length=30, choices=Action.choices)
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    run = models.ForeignKey(RatingRun, null=True, blank=True, on_delete=models.PROTECT, related_name="audit_entries")
    description = models.TextField()
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name_plural = "audit entries"

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.user or 'system'}: {self.description}"
