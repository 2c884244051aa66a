"""One serializer per resource of the API, each the one place its fields
are named, typed and explained (the schema's descriptions are their
help_text). New facts of a rating (band certainty, the decomposition of a
band change) are added here as fields."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from indicators.choices import DIRECTION_CHOICES, DOMAIN_CHOICES, KIND_CHOICES, MEASURE_CHOICES
from indicators.years import format_year
from ratings import bands, certainty_terms
from ratings.certainty_terms import CHANGE_WORDS, certainty_word
from ratings.models import Band, RatingRun
from ratings.funnels import Classification
from ratings.standings import CHANGE_REASONS, CoreResult, Rule


# Choice sets used by more than one field: named once in the schema (settings.SPECTACULAR_SETTINGS).
CERTAINTY_WORDS = list(zip(certainty_terms.CERTAINTY_WORDS, ("0.95 or more", "0.80 or more", "less")))
CHANGE_REASON_CHOICES = [("", "the band did not change"), *((reason, reason) for reason in CHANGE_REASONS)]
YEAR_SCHEMA = {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}$", "example": "2000-01",
               "description": "A financial year: 2000-01 runs from April 2000 to March 2001."}


@extend_schema_field(YEAR_SCHEMA)
class FinancialYearField(serializers.Field):
    """A financial year stored as its first calendar year (2000), written 2000-01."""

    def to_representation(self, value):
        return format_year(value)


@extend_schema_field({**YEAR_SCHEMA, "nullable": True})
class OptionalFinancialYearField(FinancialYearField):
    def to_representation(self, value):
        return None if value is None else format_year(value)


class EnumField(serializers.ChoiceField):
    """A Python enum's member as its code: `Rule.NOT_RATED` as "not_rated"."""

    def __init__(self, enum, **kwargs):
        self.enum = enum
        super().__init__(choices=[(self.code(member), member.value) for member in enum], **kwargs)

    def code(self, member):
        return member.name.lower()

    def to_representation(self, value):
        return self.code(value)


class FastSerializer(serializers.Serializer):
    """A read-only serializer whose fields are declared as DRF's (so the
    schema is generated from them) but written by one plan per serializer:
    each field's source read directly (an attribute, or a key of a dict such as
    a `values()` row), plain values kept as they are, and only fields that
    convert (a year, a date, an enum, a nested serializer) asked to. DRF's own
    field-by-field path cost 55 ms for 1,000 ratings and 22 ms for a report
    card; this, about a fifth of that (bench/api.py)."""

    PLAIN = (serializers.CharField, serializers.FloatField, serializers.IntegerField, serializers.BooleanField,
             serializers.ChoiceField, serializers.DictField, serializers.ListField)

    def to_representation(self, instance):
        shown = {}
        for name, attrs, convert, optional in self._plan():
            value = instance
            try:
                for attr in attrs:
                    if value is None:
                        break
                    value = value[attr] if isinstance(value, dict) else getattr(value, attr)
            except (KeyError, AttributeError):
                if optional:  # a field later versions added, absent from older records
                    continue
                raise
            shown[name] = value if convert is None or value is None else convert(self, value)
        return shown

    @classmethod
    def _plan(cls):
        # Made once per class from a bound instance's fields: DRF binds (deep-copies)
        # every field of every nested serializer on each use, which cost as much as the writing.
        plan = cls.__dict__.get("_fast_plan")
        if plan is None:
            prototype = cls()
            plan = [(name, field.source_attrs, cls._converter(field), not field.required)
                    for name, field in prototype.fields.items()]
            cls._fast_plan = plan
        return plan

    @classmethod
    def _converter(cls, field):
        if isinstance(field, serializers.SerializerMethodField):
            method_name = field.method_name
            return lambda serializer, value: getattr(serializer, method_name)(value)
        if isinstance(field, serializers.ListSerializer):
            child = field.child
            return lambda serializer, items: [child.to_representation(item) for item in items]
        if isinstance(field, cls.PLAIN) and not isinstance(field, EnumField):
            return None
        convert = field.to_representation
        return lambda serializer, value: convert(value)


def band_field(**kwargs):
    return serializers.ChoiceField(choices=Band.choices, **kwargs)


# Organisations --------------------------------------------------------------

class CodeNameSerializer(FastSerializer):
    code = serializers.CharField()
    name = serializers.CharField()


class OrganisationSerializer(FastSerializer):
    code = serializers.CharField(help_text="The organisation's code (ODS style, e.g. RAE or Q01).")
    name = serializers.CharField()
    type = CodeNameSerializer(help_text="HA (health authority), TRUST (acute trust) or PCG (primary care group).")
    region = CodeNameSerializer(help_text="NHS Executive regional office.")
    opened = OptionalFinancialYearField(allow_null=True, help_text="Its first financial year; null if it was "
                                                                   "open from the start.")
    closed = OptionalFinancialYearField(allow_null=True, help_text="Its last financial year; null if still open.")
    successor = serializers.CharField(source="successor.code", allow_null=True,
                                      help_text="Code of the organisation that took over its work, if any.")
    predecessors = serializers.ListField(child=serializers.CharField(),
                                         help_text="Codes of the organisations it took over.")


class PublishedRatingYearSerializer(FastSerializer):
    year = FinancialYearField()
    band = band_field()
    score = serializers.FloatField(allow_null=True)
    rank = serializers.IntegerField(allow_null=True)


class OrganisationDetailSerializer(OrganisationSerializer):
    ratings = PublishedRatingYearSerializer(
        many=True, source="published_ratings", help_text="Its published ratings, oldest first: each year's report "
                                                         "card is at report-cards/{year}/.")


# Years ----------------------------------------------------------------------

class YearSerializer(FastSerializer):
    year = FinancialYearField()
    types = serializers.ListField(child=serializers.CharField(), help_text="Organisation types rated that year.")
    published_at = serializers.DateTimeField(help_text="When its latest publication was released.")


# Ratings --------------------------------------------------------------------

class RatingSerializer(FastSerializer):
    """A published rating: one organisation's band in a year, with what decided it."""

    organisation = serializers.CharField(source="organisation_code", help_text="The organisation's code.")
    organisation_name = serializers.CharField()
    type = serializers.CharField(help_text="Its type's code.")
    region = serializers.CharField(help_text="Its region's code.")
    year = FinancialYearField()
    band = band_field()
    score = serializers.FloatField(allow_null=True, help_text="Final score S (null when not rated).")
    level_score = serializers.FloatField(allow_null=True, help_text="Level score L: the mean of the domain scores.")
    improvement_score = serializers.FloatField(allow_null=True, help_text="Improvement score I.")
    improvement_measured = serializers.BooleanField(
        allow_null=True, help_text="Whether improvement could be measured; null for method version 1.")
    rank = serializers.IntegerField(allow_null=True, help_text="Rank by S among rated organisations of the type; "
                                                               "1 is best, ties share.")
    rated_count = serializers.IntegerField(help_text="How many organisations of the type were rated.")
    core_targets_failed = serializers.IntegerField(allow_null=True, help_text="F: core national targets failed.")
    candidate_position = serializers.IntegerField(
        allow_null=True, help_text="Rank by S among the candidates for green; null if not a candidate.")
    green_quota = serializers.IntegerField(allow_null=True, help_text="q: the most that could be green.")
    green_candidates = serializers.IntegerField(allow_null=True, help_text="How many were candidates for green.")
    green_cutoff = serializers.FloatField(allow_null=True, help_text="The green cut-off c.")
    gap_to_green = serializers.FloatField(allow_null=True, help_text="The margin m = S − c.")
    coverage = serializers.FloatField(help_text="Share of applicable indicators reported.")
    not_rated_reason = serializers.CharField(allow_blank=True)
    band_without_adjustment = band_field(help_text="The band with the value-added adjustment off.")
    band_without_improvement = band_field(help_text="The band with improvement not counted.")
    score_without_adjustment = serializers.FloatField(allow_null=True)
    certainty = serializers.FloatField(
        allow_null=True, help_text="Band certainty: the share of the simulated years (the year's counted figures "
                                   "redrawn by their sampling noise, the whole method run on each) that gave the "
                                   "band it has; null when not rated or none was simulated.")
    certainty_word = serializers.SerializerMethodField(
        help_text='"very likely" (0.95 or more), "likely" (0.80 or more) or "uncertain"; null without certainty.')
    p_green = serializers.FloatField(allow_null=True, help_text="Share of the simulated years that gave green.")
    p_yellow = serializers.FloatField(allow_null=True, help_text="Share of the simulated years that gave yellow.")
    p_red = serializers.FloatField(allow_null=True, help_text="Share of the simulated years that gave red.")
    p_not_rated = serializers.FloatField(allow_null=True,
                                         help_text="Share of the simulated years that left it not rated.")
    rank_low = serializers.IntegerField(allow_null=True, help_text="The rank interval's better end (2.5th "
                                                                   "percentile of its simulated ranks).")
    rank_high = serializers.IntegerField(allow_null=True, help_text="The rank interval's worse end (97.5th "
                                                                    "percentile).")
    p_change_real = serializers.FloatField(
        allow_null=True, help_text="When its band differs from the year before's published band: the share of "
                                   "simulated pairs of years in which the band moved the same way.")
    change_reason = serializers.ChoiceField(
        choices=CHANGE_REASON_CHOICES,
        help_text="What mainly decided a change of band since the year before (the report card's \"Why did the "
                  "band change?\"); empty when it did not change.")
    run = serializers.IntegerField(source="run_id", help_text="The publication (run) it belongs to.")

    @extend_schema_field(serializers.ChoiceField(choices=CERTAINTY_WORDS, allow_null=True))
    def get_certainty_word(self, rating):
        return None if rating["certainty"] is None else certainty_word(rating["certainty"])


# Report cards -----------------------------------------------------------------

class RunSummarySerializer(FastSerializer):
    id = serializers.IntegerField()
    year = FinancialYearField()
    type = serializers.CharField(source="organisation_type.code")
    engine_version = serializers.CharField()
    published_at = serializers.DateTimeField()
    rated_count = serializers.IntegerField()
    green_quota = serializers.IntegerField()
    green_cutoff = serializers.FloatField(allow_null=True)


class CoreFailureSerializer(FastSerializer):
    indicator = serializers.CharField()
    value = serializers.FloatField(allow_null=True, help_text="The reported figure; null when there was none.")
    threshold = serializers.FloatField(allow_null=True)
    reason = serializers.ChoiceField(choices=[("missed", "missed"), ("no data", "no data")])


class BandReasonSerializer(FastSerializer):
    """The rule of the method that decided the band, with what it decided on."""

    rule = EnumField(Rule, help_text="; ".join(f"{m.name.lower()}: {m.value}" for m in Rule))
    failures = CoreFailureSerializer(many=True, help_text="Every core target missed or not reported.")
    counted_failures = serializers.SerializerMethodField(
        help_text="Codes of the failures that count towards red (a missing figure only when it counts as one).")
    red_core_failures = serializers.IntegerField(help_text="Failures that make an organisation red.")
    green_share = serializers.FloatField()
    missing_core_data = serializers.ChoiceField(choices=[("failure", "failure"), ("not_green", "not_green")])
    rank = serializers.IntegerField(allow_null=True)
    rated_count = serializers.IntegerField()
    gap_to_green = serializers.FloatField(allow_null=True)
    not_rated_reason = serializers.CharField(allow_blank=True)
    improvement_measured = serializers.BooleanField(allow_null=True)
    candidate_position = serializers.IntegerField(allow_null=True)
    green_quota = serializers.IntegerField(allow_null=True)
    green_candidates = serializers.IntegerField(allow_null=True)

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_counted_failures(self, reason):
        return [failure.indicator for failure in reason.counted_failures]


class StandingSerializer(FastSerializer):
    position = serializers.IntegerField(help_text="1 is best.")
    count = serializers.IntegerField(help_text="Peers with a figure.")
    quarter = serializers.ChoiceField(choices=[("top", "best quarter"), ("middle", "middle half"), ("bottom", "worst quarter")])
    tied_with = serializers.IntegerField(allow_null=True, help_text="Other peers sharing the position (ties share "
                                                                    "the better one); null on ratings stored before "
                                                                    "it was kept.")


class AdjustmentSerializer(FastSerializer):
    value = serializers.FloatField(allow_null=True)
    adjusted = serializers.FloatField(allow_null=True)
    deprivation = serializers.FloatField(allow_null=True)
    slope = serializers.FloatField(allow_null=True)
    status = serializers.CharField(help_text='"adjusted", or "not adjusted: " and why.')


class CardIndicatorSerializer(FastSerializer):
    """An indicator on the card: as the run defined it, with the organisation's figures."""

    code = serializers.CharField(source="indicator.code")
    name = serializers.CharField(source="indicator.name")
    unit = serializers.CharField(source="indicator.unit", allow_blank=True)
    domain = serializers.ChoiceField(source="indicator.domain", choices=DOMAIN_CHOICES)
    direction = serializers.ChoiceField(source="indicator.direction", choices=DIRECTION_CHOICES)
    weight = serializers.FloatField(source="indicator.weight")
    core_threshold = serializers.FloatField(source="indicator.core_threshold", allow_null=True,
                                            help_text="The core national target; null if it is not one.")
    adjust_for_deprivation = serializers.BooleanField(source="indicator.adjust_for_deprivation")
    value = serializers.FloatField(source="facts.value", allow_null=True, help_text="The reported figure.")
    adjusted = serializers.FloatField(source="facts.adjusted", allow_null=True,
                                      help_text="After the value-added adjustment (the value when not adjusted).")
    was_adjusted = serializers.BooleanField(source="facts.was_adjusted")
    z = serializers.FloatField(source="facts.z", allow_null=True)
    improvement_z = serializers.FloatField(source="facts.improvement_z", allow_null=True)
    median = serializers.FloatField(source="facts.median", allow_null=True, help_text="The peers' median figure.")
    standing = StandingSerializer(source="facts.standing", allow_null=True, help_text="Its place among its peers.")
    core_result = EnumField(CoreResult, source="facts.core")
    adjustment = AdjustmentSerializer(source="facts.adjustment", allow_null=True)
    numerator = serializers.FloatField(source="facts.numerator", allow_null=True)
    denominator = serializers.FloatField(source="facts.denominator", allow_null=True)
    funnel = EnumField(
        Classification, source="facts.funnel", allow_null=True,
        help_text="Against the run's funnel limits at its denominator (a proportion or rate with counts); null "
                  "for a figure without counts.")


class DomainScoresSerializer(FastSerializer):
    level = serializers.DictField(child=serializers.FloatField(allow_null=True), help_text="{domain: score}")
    improvement = serializers.DictField(child=serializers.FloatField(allow_null=True), help_text="{domain: score}")


class HistoryRowSerializer(FastSerializer):
    year = FinancialYearField(source="run.year")
    band = band_field()
    score = serializers.FloatField(allow_null=True)
    rank = serializers.IntegerField(allow_null=True)
    rated_count = serializers.IntegerField(source="run.rated_count")
    green_cutoff = serializers.FloatField(allow_null=True)


class ConsequenceSerializer(FastSerializer):
    title = serializers.CharField()
    description = serializers.CharField(allow_blank=True)
    consecutive_years = serializers.IntegerField(source="years", help_text="Applies from this many consecutive "
                                                                           "years in the band.")
    reached = serializers.BooleanField(help_text="Whether it applies to the organisation this year.")


class ProvenanceSerializer(FastSerializer):
    values = serializers.IntegerField(help_text="Figures held for the year.")
    received = serializers.DateTimeField(allow_null=True)
    corrections = serializers.IntegerField(help_text="Figures corrected since first received.")
    last_corrected = serializers.DateTimeField(allow_null=True)


class ParametersSerializer(FastSerializer):
    """The method's parameters a run used, frozen with it. Fields added by later method versions are
    absent from runs stored before them."""

    green_share = serializers.FloatField()
    red_core_failures = serializers.IntegerField()
    improvement_weight = serializers.FloatField()
    value_added = serializers.BooleanField()
    deprivation_indicator = serializers.CharField()
    min_coverage = serializers.FloatField()
    clip_z = serializers.FloatField()
    domain_weights = serializers.DictField(child=serializers.FloatField())
    missing_core_data = serializers.CharField(required=False)
    uncertainty_draws = serializers.IntegerField(required=False)
    uncertainty_seed = serializers.IntegerField(required=False)


class VersionSerializer(FastSerializer):
    """A publication of the year's ratings of the organisation's type."""

    run = serializers.IntegerField(source="pk")
    status = serializers.ChoiceField(choices=RatingRun.Status.choices)
    current = serializers.BooleanField(help_text="The version published now.")
    rates_organisation = serializers.BooleanField(source="rated")
    published_at = serializers.DateTimeField()
    revision_note = serializers.CharField(allow_blank=True, help_text="What it corrected, if it is a correction.")
    withdrawn_at = serializers.DateTimeField(allow_null=True)
    withdrawal_reason = serializers.CharField(allow_blank=True)


class CertaintySerializer(FastSerializer):
    """How sure the band is: the whole method run on simulated years, the year's counted figures redrawn by
    their sampling noise (the method's "Band certainty")."""

    certainty = serializers.FloatField(help_text="The share of the simulated years that gave the band it has.")
    word = serializers.ChoiceField(choices=CERTAINTY_WORDS)
    p_green = serializers.FloatField(allow_null=True)
    p_yellow = serializers.FloatField(allow_null=True)
    p_red = serializers.FloatField(allow_null=True)
    p_not_rated = serializers.FloatField(allow_null=True)
    rank = serializers.IntegerField(allow_null=True)
    rank_low = serializers.IntegerField(allow_null=True, help_text="95 in 100 simulated years ranked it between "
                                                                   "rank_low and rank_high.")
    rank_high = serializers.IntegerField(allow_null=True)
    band_before = band_field(allow_null=True, help_text="Its published band of the year before, when the band "
                                                        "changed from it and the simulation compared with it.")
    p_change_real = serializers.FloatField(allow_null=True, help_text="The share of simulated pairs of years in "
                                                                      "which the band moved the same way.")
    change_significance = serializers.ChoiceField(
        choices=list(zip(CHANGE_WORDS, ("0.95 or more", "less"))), allow_null=True)
    draws = serializers.IntegerField(allow_null=True, help_text="How many years were simulated.")
    seed = serializers.IntegerField(allow_null=True, help_text="The simulation's random seed (it is reproducible).")


class CoreTargetChangeSerializer(FastSerializer):
    indicator = serializers.CharField()
    before = serializers.CharField(allow_null=True, help_text='"met", "missed" or "no data"; null when it was '
                                                              'not a core target.')
    after = serializers.CharField(allow_null=True)
    value_before = serializers.FloatField(allow_null=True)
    value_after = serializers.FloatField(allow_null=True)
    threshold_before = serializers.FloatField(allow_null=True)
    threshold_after = serializers.FloatField(allow_null=True)
    cause = serializers.CharField(help_text='"figure", "threshold", "figure and threshold", "new target" or '
                                            '"no longer a target".')


class BandChangeSerializer(FastSerializer):
    """Why the band changed since the year before: the margin over the green cut-off (m = S − c) split into the
    parts that moved it (Shapley values over the eight combinations of last year's and this year's own figures,
    others' figures and method, with corrections to last year's figures since publication)."""

    compared_with = serializers.IntegerField(help_text="The run (publication) of the year before compared with.")
    year_before = FinancialYearField()
    band_before = band_field()
    band_after = band_field()
    margin_before = serializers.FloatField(allow_null=True)
    margin_after = serializers.FloatField(allow_null=True)
    change = serializers.FloatField(allow_null=True, help_text="margin_after − margin_before: own + others + "
                                                               "method + corrections.")
    own = serializers.FloatField(allow_null=True, help_text="The part its own figures made.")
    others = serializers.FloatField(allow_null=True, help_text="The part the other organisations' figures made.")
    method = serializers.FloatField(allow_null=True, help_text="The part the change of method made.")
    corrections = serializers.FloatField(allow_null=True, help_text="The part corrections to last year's figures "
                                                                    "since publication made.")
    no_margin_reason = serializers.CharField(allow_blank=True, help_text="Why the parts are null, if they are.")
    band_if_others_stood_still = band_field()
    band_under_last_years_method = band_field()
    main_reason = serializers.ChoiceField(choices=CHANGE_REASON_CHOICES)
    core_changes = CoreTargetChangeSerializer(many=True, help_text="Core targets whose result changed.")
    margins = serializers.DictField(child=serializers.FloatField(allow_null=True), help_text=(
        "The margin under each combination, keyed own1_others0_method1 (1: this year's, 0: last year's)."))
    bands = serializers.DictField(child=serializers.CharField(), help_text="The band under each combination.")


class ReportCardSerializer(FastSerializer):
    """Every fact the organisation's report card shows, as data."""

    organisation = OrganisationSerializer(source="organisation_row")
    year = FinancialYearField(source="run.year")
    run = RunSummarySerializer()
    band = band_field(source="rating.band")
    band_word = serializers.SerializerMethodField()
    reason = BandReasonSerializer(source="facts.reason")
    score = serializers.FloatField(source="rating.score", allow_null=True)
    level_score = serializers.FloatField(source="rating.level_score", allow_null=True)
    improvement_score = serializers.FloatField(source="rating.improvement_score", allow_null=True)
    score_without_adjustment = serializers.FloatField(source="rating.score_without_adjustment", allow_null=True)
    band_without_adjustment = band_field(source="rating.band_without_adjustment")
    band_without_improvement = band_field(source="rating.band_without_improvement")
    coverage = serializers.FloatField(source="rating.coverage")
    green_cutoff = serializers.FloatField(source="rating.green_cutoff", allow_null=True)
    indicators = CardIndicatorSerializer(many=True)
    domains = DomainScoresSerializer(source="facts.domains")
    history = HistoryRowSerializer(many=True, help_text="Every published rating of the organisation, oldest first.")
    consecutive_years_in_band = serializers.IntegerField(
        source="streak", help_text="Consecutive years in the band up to this one, for a band whose consequences "
                                   "step up each year (red); 0 otherwise.")
    consequences = ConsequenceSerializer(many=True)
    provenance = ProvenanceSerializer()
    parameters = ParametersSerializer()
    versions = VersionSerializer(many=True, help_text="The year's publications for the type, oldest first: "
                                                      "the first, each correction, any withdrawal.")
    certainty = CertaintySerializer(allow_null=True, help_text="How sure the band is; null when not rated or "
                                                               "the run simulated none.")
    change = BandChangeSerializer(allow_null=True, help_text=(
        "Why the band changed (or how the margin moved) since its published rating of the year before; null "
        "when it was not rated in both or that rating is no longer public."))

    def get_band_word(self, facts) -> str:
        return bands.word(facts.rating.band)


class WithdrawnSerializer(FastSerializer):
    """A 410: the ratings asked for were published, then withdrawn."""

    detail = serializers.CharField()
    withdrawn_at = serializers.DateTimeField()
    withdrawal_reason = serializers.CharField(allow_blank=True)


# Indicators -------------------------------------------------------------------

class DefinitionSerializer(FastSerializer):
    """An indicator's definition as a year's published ratings used it (frozen with them)."""

    year = FinancialYearField()
    from_year = serializers.IntegerField(help_text="The first year this definition applied from "
                                                   "(its first calendar year).")
    organisation_types = serializers.ListField(child=serializers.CharField())
    kind = serializers.ChoiceField(choices=KIND_CHOICES)
    domain = serializers.ChoiceField(choices=[("", "none (a context indicator)"), *DOMAIN_CHOICES])
    direction = serializers.ChoiceField(choices=DIRECTION_CHOICES)
    weight = serializers.FloatField()
    adjust_for_deprivation = serializers.BooleanField()
    core_threshold = serializers.FloatField(allow_null=True)
    measure = serializers.ChoiceField(choices=MEASURE_CHOICES)
    multiplier = serializers.FloatField(allow_null=True)


class IndicatorSerializer(FastSerializer):
    code = serializers.CharField()
    name = serializers.CharField()
    unit = serializers.CharField(allow_blank=True)
    description = serializers.CharField(allow_blank=True)
    source = serializers.CharField(allow_blank=True)
    definitions = DefinitionSerializer(many=True, source="definitions_by_year", help_text="By year, newest first: only years with published "
                                                            "ratings that used it.")


# Results ----------------------------------------------------------------------

class ResultSerializer(FastSerializer):
    organisation = serializers.CharField(source="organisation_code")
    indicator = serializers.CharField(source="indicator_code")
    year = FinancialYearField()
    value = serializers.FloatField()
    numerator = serializers.FloatField(allow_null=True)
    denominator = serializers.FloatField(allow_null=True)


# Runs and publications ------------------------------------------------------------

class RunSerializer(RunSummarySerializer):
    """A published run: the method's parameters and figures of one year's ratings of one type."""

    parameters = ParametersSerializer()
    revision_note = serializers.CharField(allow_blank=True)


class PublicationSerializer(FastSerializer):
    """A publication the public has seen: current, superseded by a correction, or withdrawn."""

    run = serializers.IntegerField(source="pk")
    year = FinancialYearField()
    type = serializers.CharField(source="organisation_type.code")
    status = serializers.ChoiceField(source="public_status", choices=[("current", "published now"),
                                                                      ("superseded", "replaced by a correction"),
                                                                      ("withdrawn", "withdrawn")])
    published_at = serializers.DateTimeField()
    corrects = serializers.IntegerField(allow_null=True, help_text="The run this publication replaced.")
    revision_note = serializers.CharField(allow_blank=True, help_text="What it corrected.")
    withdrawn_at = serializers.DateTimeField(allow_null=True)
    withdrawal_reason = serializers.CharField(allow_blank=True)


class AnnouncementSerializer(FastSerializer):
    """A publication announced ahead (the release calendar): when, and of what year and organisation type;
    nothing of its content."""

    year = FinancialYearField()
    type = serializers.CharField(source="type_code", help_text="The organisation type's code.")
    type_name = serializers.CharField(help_text="The organisation type's name.")
    publish_at = serializers.DateTimeField(source="published_at", help_text="When it will be published.")
    corrects = serializers.BooleanField(source="revises",
                                        help_text="Whether it replaces ratings of the year and type already published.")
    announced_at = serializers.DateTimeField(allow_null=True, help_text="When the time was announced (or last "
                                                                        "changed); null if not recorded.")
