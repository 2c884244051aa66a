from django.urls import path
from rest_framework.routers import SimpleRouter

from . import views

app_name = "api"

router = SimpleRouter()
router.register("organisations", views.OrganisationViewSet, basename="organisation")
router.register("ratings", views.RatingViewSet, basename="rating")
router.register("indicators", views.IndicatorViewSet, basename="indicator")
router.register("results", views.ResultViewSet, basename="result")
router.register("runs", views.RunViewSet, basename="run")
router.register("publications", views.PublicationViewSet, basename="publication")
router.register("releases", views.ReleaseViewSet, basename="release")

urlpatterns = [
    path("openapi.json", views.SchemaView.as_view(), name="schema"),
    path("years/", views.YearList.as_view(), name="years"),
    path("organisations/<str:code>/report-cards/<year:year>/", views.ReportCardView.as_view(), name="report_card"),
    *router.urls,
]
