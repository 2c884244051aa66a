from django.urls import path

from . import views

app_name = "public"
urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("ratings/", views.latest_ratings, name="latest_ratings"),
    path("ratings/<year:year>/", views.browse, name="browse"),
    path("ratings/<year:year>/ratings.csv", views.browse_csv, name="browse_csv"),
    path("organisations/<str:code>/", views.report_card, name="latest_report_card"),
    path("organisations/<str:code>/<year:year>/", views.report_card, name="report_card"),
    path("organisations/<str:code>/<year:year>/versions/<int:run_id>/", views.report_card_version,
         name="report_card_version"),
    path("indicators/", views.indicator_list, name="indicator_list"),
    path("indicators/<str:code>/<year:year>/", views.indicator, name="indicator"),
    path("regions/<str:code>/<year:year>/", views.region, name="region"),
    path("changes/<year:year>/", views.changes, name="changes"),
    path("fairness/<year:year>/", views.fairness, name="fairness"),
    path("methodology/<year:year>/", views.methodology, name="methodology"),
    path("downloads/", views.downloads, name="downloads"),
    path("downloads/<year:year>/<str:dataset>.<str:extension>", views.download, name="download"),
    path("robots.txt", views.robots_txt, name="robots_txt"),
]
