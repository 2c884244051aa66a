"""Reference data (regions, organisation types, organisations, indicators)
and the indicator results that the ratings are computed from."""

from django.conf import settings
from django.db import models
from django.db.models import Exists, F, OuterRef, Q

from . import choices
from .definitions import FROM_THE_START, format_from_year
from .years import FIRST_YEAR, LAST_YEAR, format_year


def _text_choices(name: str, pairs: tuple[tuple[str, str], ...]) -> type[models.TextChoices]:
    """A TextChoices enum (members named by their codes upper-cased) of one of `choices`' vocabularies."""
    return models.TextChoices(name, [(code.upper(), (code, words)) for code, words in pairs], module=__name__)


Area = _text_choices("Area", choices.AREA_CHOICES)
IndicatorKind = _text_choices("IndicatorKind", choices.KIND_CHOICES)
Domain = _text_choices("Domain", choices.DOMAIN_CHOICES)
Direction = _text_choices("Direction", choices.DIRECTION_CHOICES)
Measure = _text_choices("Measure", choices.MEASURE_CHOICES)


class Region(models.Model):
    """An NHS Executive regional office."""

    code = models.CharField(max_length=10, unique=True)
    name = models.CharField(max_length=100, unique=True)
    area = models.CharField(max_length=10, choices=Area.choices)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=Q(area__in=Area.values), name="region_area_valid"),
        ]

    def __str__(self):
        return self.name


class OrganisationType(models.Model):
    """Health authority, acute trust, primary care group, or any an admin adds.
    Organisations are only ever compared with others of the same type."""

    code = models.CharField(max_length=10, unique=True)
    name = models.CharField(max_length=100, unique=True)
    plural_name = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["code"]

    def __str__(self):
        return self.name


def open_in_year(year: int) -> Q:
    """`years.is_open_in` in SQL: a condition on an organisation's `opened` and `closed`."""
    return (Q(opened__isnull=True) | Q(opened__lte=year)) & (Q(closed__isnull=True) | Q(closed__gte=year))


class OrganisationQuerySet(models.QuerySet):
    def open_in(self, year: int) -> "OrganisationQuerySet":
        """The organisations open in the year (`years.is_open_in`)."""
        return self.filter(open_in_year(year))


class Organisation(models.Model):
    code = models.CharField(max_length=12, unique=True, help_text="ODS-style code, e.g. RAE or Q01.")
    name = models.CharField(max_length=200)
    type = models.ForeignKey(OrganisationType, on_delete=models.PROTECT, related_name="organisations")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="organisations")
    opened = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="First financial year of operation (2000 means 2000-01).")
    closed = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Last financial year of operation: it closed at the end of this year.")
    successor = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="predecessors",
        help_text="The organisation that took over its work when it closed or merged.")

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(opened__isnull=True) | Q(closed__isnull=True) | Q(closed__gte=F("opened")),
                name="organisation_closes_after_opening",
            ),
            models.CheckConstraint(condition=~Q(successor=F("id")), name="organisation_not_own_successor"),
        ]
        indexes = [models.Index(fields=["type", "region"])]

    def __str__(self):
        return f"{self.name} ({self.code})"


class ScoringFields(models.Model):
    """What an indicator means for rating, in a year's definition
    (`IndicatorDefinition`) and mirrored, for the admin's lists, on `Indicator`."""

    kind = models.CharField(max_length=12, choices=IndicatorKind.choices)
    domain = models.CharField(max_length=20, choices=Domain.choices, blank=True,
                              help_text="Performance indicators only.")
    direction = models.CharField(max_length=14, choices=Direction.choices, default=Direction.HIGHER_BETTER)
    weight = models.FloatField(default=1.0)
    adjust_for_deprivation = models.BooleanField(
        default=False, help_text="Apply the value-added adjustment for deprivation to this indicator.")
    core_threshold = models.FloatField(
        null=True, blank=True,
        help_text="Core national target: the value an organisation must reach (or stay under, "
                  "when lower is better). Blank when the indicator is not a core target.")

    class Meta:
        abstract = True


def scoring_constraints(prefix: str) -> list[models.CheckConstraint]:
    """The rules `ScoringFields` keep, named after the table's `prefix`."""
    return [
        models.CheckConstraint(condition=Q(kind__in=IndicatorKind.values), name=f"{prefix}_kind_valid"),
        models.CheckConstraint(condition=Q(direction__in=Direction.values), name=f"{prefix}_direction_valid"),
        models.CheckConstraint(
            condition=(Q(kind=IndicatorKind.PERFORMANCE, domain__in=Domain.values)
                       | Q(kind=IndicatorKind.CONTEXT, domain="", core_threshold__isnull=True,
                           adjust_for_deprivation=False)),
            name=f"{prefix}_domain_matches_kind",
        ),
        models.CheckConstraint(condition=Q(weight__gt=0), name=f"{prefix}_weight_positive"),
    ]


class Indicator(ScoringFields):
    Kind = IndicatorKind
    Domain = Domain
    Direction = Direction

    code = models.CharField(max_length=40, unique=True)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    unit = models.CharField(max_length=40, blank=True, help_text="e.g. %, per 100,000 population, patients.")
    organisation_types = models.ManyToManyField(OrganisationType, related_name="indicators")
    source = models.TextField(blank=True, help_text="Where the figures come from and how they are defined.")

    class Meta:
        ordering = ["code"]
        constraints = scoring_constraints("indicator")

    def __str__(self):
        return f"{self.name} ({self.code})"


class IndicatorDefinitionQuerySet(models.QuerySet):
    def in_force(self, year: int) -> "IndicatorDefinitionQuerySet":
        """`definitions.in_force` in SQL: each indicator's definition with the
        latest `from_year` not after `year`."""
        later = IndicatorDefinition.objects.filter(indicator=OuterRef("indicator"), from_year__gt=OuterRef("from_year"),
                                                   from_year__lte=year)
        return self.filter(from_year__lte=year).exclude(Exists(later))


class IndicatorDefinition(ScoringFields):
    """What an indicator means for rating from `from_year` on, until a later
    definition of it replaces it (`definitions.in_force`). The rating reads
    only these; the fields of the same names on `Indicator` mirror its latest
    definition for the admin's lists."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="definitions")
    from_year = models.PositiveSmallIntegerField(
        default=FROM_THE_START, help_text=f"The first financial year it applies to; {FROM_THE_START} means "
                                          "from the start.")
    organisation_types = models.ManyToManyField(OrganisationType, related_name="indicator_definitions")
    measure = models.CharField(max_length=10, choices=Measure.choices, default=Measure.OTHER,
                               help_text="proportion or rate: value = multiplier × numerator / denominator.")
    multiplier = models.FloatField(null=True, blank=True, help_text="e.g. 100 for a percentage, 100000 for "
                                                                    "per 100,000. Proportions and rates only.")

    objects = IndicatorDefinitionQuerySet.as_manager()

    class Meta:
        ordering = ["indicator", "from_year"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "from_year"], name="one_definition_per_indicator_year"),
            models.CheckConstraint(condition=Q(from_year__gte=FIRST_YEAR, from_year__lte=LAST_YEAR),
                                   name="definition_year_in_range"),
            *scoring_constraints("definition"),
            models.CheckConstraint(
                condition=(Q(measure=Measure.OTHER, multiplier__isnull=True)
                           | Q(measure__in=[Measure.PROPORTION, Measure.RATE], multiplier__gt=0)),
                name="definition_multiplier_matches_measure",
            ),
        ]

    def __str__(self):
        return f"{self.indicator.code} {format_from_year(self.from_year)}"


class RegionMembership(models.Model):
    """A regional office's staff member: may upload returns for, and see the
    uploads of, the organisations in this region. Admins (superusers) see all."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="region_memberships")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="memberships")

    class Meta:
        ordering = ["user", "region"]
        constraints = [models.UniqueConstraint(fields=["user", "region"], name="one_membership_per_user_region")]

    def __str__(self):
        return f"{self.user} in {self.region}"


class OrganisationMembership(models.Model):
    """An organisation's staff member: during a fact-check window, sees that
    organisation's draft report card (and nothing else of the drafts) and may
    challenge its figures. Set up by an admin, audited, like RegionMembership."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="organisation_memberships")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="memberships")

    class Meta:
        ordering = ["user", "organisation"]
        constraints = [models.UniqueConstraint(fields=["user", "organisation"],
                                               name="one_membership_per_user_organisation")]

    def __str__(self):
        return f"{self.user} of {self.organisation}"


class ReturnImport(models.Model):
    """One file of results brought in, from the command line or a web upload.
    Every stored value points at the import that brought it. A web upload is
    kept from the moment it is validated: the original file, every problem
    found, and what it would change, whether or not it is ever applied."""

    class Channel(models.TextChoices):
        COMMAND = "command", "Command line"
        UPLOAD = "upload", "Web upload"
        FACT_CHECK = "fact_check", "Fact-check correction"

    class Status(models.TextChoices):
        VALIDATED = "validated", "Validated: waiting to be confirmed"
        REJECTED = "rejected", "Rejected: the file has errors"
        APPLIED = "applied", "Applied"
        SUPERSEDED = "superseded", "Superseded: a later upload was validated before this was confirmed"
        REVERSED = "reversed", "Reversed"

    filename = models.CharField(max_length=255)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.APPLIED)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="return_imports")
    synthetic = models.BooleanField(
        default=False, help_text="The figures are made up (the demo data set), and the site says so.")
    year = models.PositiveSmallIntegerField(null=True, blank=True, help_text="The year an upload was made for.")
    regions = models.ManyToManyField(Region, blank=True, related_name="return_imports",
                                     help_text="The regions of the upload's rows: only staff of all of them may "
                                               "see or confirm it.")
    original = models.BinaryField(null=True, blank=True, editable=False, help_text="The file as uploaded.")
    original_sha256 = models.CharField(max_length=64, blank=True)
    problems = models.JSONField(default=list, blank=True,
                                help_text="[{line, column, message, sheet}] for every error found.")
    notes = models.JSONField(default=list, blank=True, help_text="What the reader noticed, e.g. the sheet read.")
    validated_rows = models.JSONField(
        null=True, blank=True, editable=False,
        help_text="[[organisation, indicator, year, value, numerator, denominator, line]] awaiting confirmation.")
    preview = models.JSONField(
        default=dict, blank=True, editable=False,
        help_text='What applying it would do: {"organisations": {code: [new, changed, unchanged]}, '
                  '"changes": [[organisation, indicator, year, old value, new value]]}.')
    held_fingerprint = models.CharField(
        max_length=64, blank=True, editable=False,
        help_text="SHA-256 of the held values the preview compared the rows against; confirming recomputes it.")
    touches_published = models.BooleanField(
        default=False, help_text="It changes figures of a year and type whose ratings are published.")
    rows = models.PositiveIntegerField(default=0)
    new_values = models.PositiveIntegerField(default=0)
    changed_values = models.PositiveIntegerField(default=0)
    unchanged_values = models.PositiveIntegerField(default=0)
    applied_at = models.DateTimeField(null=True, blank=True)
    applied_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="applied_return_imports")
    reversed_at = models.DateTimeField(null=True, blank=True)
    reversed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="reversed_return_imports")

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=["validated", "rejected", "applied", "superseded",
                                                           "reversed"]), name="return_import_status_valid"),
        ]

    def __str__(self):
        return f"{self.filename} ({self.created_at:%Y-%m-%d %H:%M})"


class Result(models.Model):
    """The current value of one indicator for one organisation in one year."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="results")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="results")
    year = models.PositiveSmallIntegerField(help_text="Financial year, stored as its first calendar year.")
    value = models.FloatField()
    numerator = models.FloatField(null=True, blank=True)
    denominator = models.FloatField(null=True, blank=True)
    source_import = models.ForeignKey(ReturnImport, on_delete=models.PROTECT, related_name="results",
                                      help_text="The import that brought the current value.")

    class Meta:
        ordering = ["organisation", "indicator", "year"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "indicator", "year"],
                                    name="one_result_per_organisation_indicator_year"),
            models.CheckConstraint(condition=Q(year__gte=FIRST_YEAR, year__lte=LAST_YEAR),
                                   name="result_year_in_range"),
            models.CheckConstraint(condition=Q(denominator__isnull=True) | Q(denominator__gte=0),
                                   name="result_denominator_not_negative"),
            models.CheckConstraint(condition=Q(numerator__isnull=True) | Q(numerator__gte=0),
                                   name="result_numerator_not_negative"),
            models.CheckConstraint(
                condition=Q(numerator__isnull=True) | Q(denominator__isnull=True)
                | Q(numerator__lte=F("denominator")),
                name="result_numerator_within_denominator",
            ),
        ]
        indexes = [models.Index(fields=["year", "indicator"])]

    def __str__(self):
        return f"{self.organisation.code} {self.indicator.code} {format_year(self.year)} = {self.value}"


class ResultRevision(models.Model):
    """A value that a later import replaced. Nothing is ever lost: the current
    value is on Result, every earlier one is here."""

    result = models.ForeignKey(Result, on_delete=models.PROTECT, related_name="revisions")
    value = models.FloatField()
    numerator = models.FloatField(null=True, blank=True)
    denominator = models.FloatField(null=True, blank=True)
    source_import = models.ForeignKey(ReturnImport, on_delete=models.PROTECT, related_name="+",
                                      help_text="The import that had brought this value.")
    superseded_by = models.ForeignKey(ReturnImport, on_delete=models.PROTECT, related_name="superseded_revisions",
                                      help_text="The import that replaced it.")

    class Meta:
        ordering = ["result", "id"]

    def __str__(self):
        return f"{self.value} (replaced by import {self.superseded_by_id})"
