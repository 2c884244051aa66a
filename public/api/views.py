"""The API's endpoints: each loads through `reads` (published runs only),
serializes with its resource's serializer and responds; answers are cached
under the publication state (`caching`) and rate-limited per client address."""

from __future__ import annotations

import functools

from django import forms
from django.http import Http404
from django.views.decorators.http import conditional_page
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from drf_spectacular.views import SpectacularJSONAPIView
from rest_framework import mixins, status, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import CursorPagination, PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from ratings.models import Rating

from .. import queries
from ..presenters import report_card
from . import filters, reads, serializers
from .caching import PublishedPageCache


CODE = OpenApiParameter("code", str, OpenApiParameter.PATH, description="The organisation's code, e.g. RAE or Q01.")
INDICATOR_CODE = OpenApiParameter("code", str, OpenApiParameter.PATH, description="The indicator's code.")
YEAR = OpenApiParameter("year", str, OpenApiParameter.PATH, pattern="^[0-9]{4}-[0-9]{2}$",
                        description="A financial year, written 2000-01.")


class Pages(PageNumberPagination):
    """Numbered pages of a fixed order (ended by a unique key): the same page
    holds the same rows until the next publication."""

    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000


class ResultCursor(CursorPagination):
    """Results by a cursor on their id: no count over hundreds of thousands of figures, and stable."""

    ordering = ("id",)
    page_size = 500
    page_size_query_param = "page_size"
    max_page_size = 5000


class PublicView(PublishedPageCache):
    """Every endpoint: GET and HEAD only, each answer with an ETag (a hash of
    its body) that turns a client's If-None-Match into a 304."""

    http_method_names = ["get", "head"]

    @classmethod
    def as_view(cls, *args, **kwargs):
        return conditional_page(super().as_view(*args, **kwargs))


@extend_schema_view(list=extend_schema(summary="Organisations", description=(
    "Every organisation, by code: its type, region, years open, and the organisations it took over (predecessors) "
    "or that took over its work (successor).")),
    retrieve=extend_schema(summary="An organisation", parameters=[CODE], description=(
        "One organisation, with each year of its published ratings.")))
class OrganisationViewSet(PublicView, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = serializers.OrganisationSerializer
    queryset = reads.organisations()
    filter_backends = [DjangoFilterBackend]
    filterset_class = filters.OrganisationFilter
    pagination_class = Pages
    lookup_field = "code"
    lookup_value_regex = "[^/]+"

    def get_serializer_class(self):
        return serializers.OrganisationDetailSerializer if self.action == "retrieve" else self.serializer_class

    def retrieve(self, request, code):
        found = reads.organisation_rows(reads.organisation_values(self.get_queryset().filter(code=code)))
        if not found:
            raise Http404
        [organisation] = found
        organisation["published_ratings"] = reads.organisation_history(organisation["pk"])
        return Response(self.get_serializer(organisation).data)

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(reads.organisation_values(queryset))
        return None if page is None else reads.organisation_rows(page)

    def filter_queryset(self, queryset):
        # Filters narrow the list, not the lookup of one organisation.
        return super().filter_queryset(queryset) if self.action == "list" else queryset


@extend_schema(summary="Years", description="Each financial year with published ratings, newest first, with the "
                                            "organisation types rated.",
               responses=serializers.YearSerializer(many=True))
class YearList(PublicView, APIView):
    def get(self, request):
        return Response(serializers.YearSerializer(reads.years(), many=True).data)


@extend_schema_view(list=extend_schema(summary="Ratings", description=(
    "Published ratings, one per organisation and year, a page at a time. Filter by year, type, region, band or "
    "organisation; sort by rank, score, organisation code or name, or year.")))
class RatingViewSet(PublicView, mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = serializers.RatingSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = filters.RatingFilter
    pagination_class = Pages

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator, asking only for the model
            return Rating.objects.none()
        return filters.ordered_ratings(reads.rating_keys())

    def paginate_queryset(self, queryset):
        # The page's ids from the keys alone, then only the page's rows (reads.rating_keys says why).
        ids = super().paginate_queryset(queryset.values_list("pk", flat=True))
        return None if ids is None else reads.ratings_by_id(list(ids))


@extend_schema(
    summary="A report card", description=(
        "Every fact the organisation's report card for the year shows, as data: the band and the rule that "
        "decided it, each indicator's figures and standing among its peers, core targets, domain scores, history, "
        "consequences, where the figures came from, the method's parameters and the year's corrections and "
        "withdrawal. A 410 when the year's ratings of its type were withdrawn."),
    parameters=[CODE, YEAR],
    responses={200: serializers.ReportCardSerializer,
               410: OpenApiResponse(serializers.WithdrawnSerializer, description="The ratings were withdrawn.")})
class ReportCardView(PublicView, APIView):
    def get(self, request, code, year):
        data = queries.report_card(code, year)
        if data.rating is None:
            withdrawn = data.withdrawn
            return Response(serializers.WithdrawnSerializer({
                "detail": "These ratings were withdrawn.", "withdrawn_at": withdrawn.withdrawn_at,
                "withdrawal_reason": withdrawn.withdrawal_reason}).data, status=status.HTTP_410_GONE)
        return Response(serializers.ReportCardSerializer(report_card.card_facts(data)).data)


YEAR_PARAMETER = OpenApiParameter("year", str, pattern="^[0-9]{4}-[0-9]{2}$",
                                  description="Only that financial year's definitions (2000-01), and only the "
                                              "indicators it used.")


@extend_schema_view(
    list=extend_schema(summary="Indicators", parameters=[YEAR_PARAMETER], description=(
        "Every indicator, with its definition (kind, domain, direction, weight, core target, adjustment, measure) "
        "as each year's published ratings used it.")),
    retrieve=extend_schema(summary="An indicator", parameters=[INDICATOR_CODE],
                           description="One indicator, with its definition by year."))
class IndicatorViewSet(PublicView, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = serializers.IndicatorSerializer
    queryset = reads.indicators()
    refuses_parameters = True  # `year`
    lookup_field = "code"
    lookup_value_regex = "[^/]+"

    def list(self, request, *args, **kwargs):
        year = self._year(request.query_params.get("year"))
        definitions = reads.indicator_definitions(year)
        indicators = list(self.get_queryset().filter(pk__in=definitions) if year is not None else self.get_queryset())
        for indicator in indicators:
            indicator.definitions_by_year = definitions.get(indicator.pk, [])
        return Response(self.get_serializer(indicators, many=True).data)

    def retrieve(self, request, *args, **kwargs):
        indicator = self.get_object()
        indicator.definitions_by_year = reads.indicator_definitions().get(indicator.pk, [])
        return Response(self.get_serializer(indicator).data)

    @staticmethod
    def _year(text):
        if text in (None, ""):
            return None
        try:
            return filters.FinancialYearFormField().clean(text)
        except forms.ValidationError as error:  # answered as the filters' refusals are
            raise ValidationError({"year": error.messages}) from None


@extend_schema_view(list=extend_schema(summary="Results", description=(
    "The figures behind the ratings (as now held, corrections included), for the years and organisation types "
    "with published ratings, by a cursor: follow `next`.")))
class ResultViewSet(PublicView, mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = serializers.ResultSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = filters.ResultFilter
    pagination_class = ResultCursor

    def get_queryset(self):
        return reads.results()


@extend_schema_view(list=extend_schema(summary="Runs and their method parameters", description=(
    "Each published run (one year's ratings of one organisation type), with the method's parameters it used, "
    "its engine version, the green quota and cut-off; newest year first, a numbered page at a time.")))
class RunViewSet(PublicView, mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = serializers.RunSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = filters.RunFilter
    pagination_class = Pages

    def get_queryset(self):
        return reads.runs()


@extend_schema_view(list=extend_schema(summary="Publications", description=(
    "Every publication the public has seen, oldest first within each year and type, a numbered page at a time: "
    "the first, each correction (with what it corrected and the run it replaced) and each withdrawal (with its "
    "reason). Nothing scheduled appears before its time: see `releases/` for what is announced.")))
class PublicationViewSet(PublicView, mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = serializers.PublicationSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = filters.RunFilter
    pagination_class = Pages

    def get_queryset(self):
        return reads.publications()


@extend_schema_view(list=extend_schema(summary="Announced publications (the release calendar)", description=(
    "Each publication announced ahead, soonest first: its year, organisation type and time, whether it corrects "
    "ratings already published, and when it was announced. Nothing of its content: that is public only from its "
    "time, in `publications/`, `runs/` and `ratings/`.")))
class ReleaseViewSet(PublicView, mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = serializers.AnnouncementSerializer
    pagination_class = Pages

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator: no need to read them
            return []
        return reads.announcements()


@functools.cache
def openapi_schema() -> dict:
    """The API's OpenAPI 3 schema, generated once per process from the views
    and serializers (it changes only with the code)."""
    return SchemaGenerator(patterns=None, urlconf=None).get_schema(request=None, public=True)


@extend_schema(exclude=True)
class SchemaView(PublicView, SpectacularJSONAPIView):
    throttle_classes = []  # one document clients fetch once; never worth refusing

    def _get_schema_response(self, request):
        return Response(openapi_schema(), headers={"Content-Disposition": 'inline; filename="openapi.json"'})
