from django.urls import path

from . import feeds, views
from .cache import public_page

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
    path("compare/", views.latest_compare, name="latest_compare"),
    path("compare/<year:year>/", views.compare, name="compare"),
    path("indicators/", views.indicator_list, name="indicator_list"),
    path("indicators/<str:code>/", views.latest_indicator, name="latest_indicator"),
    path("indicators/<str:code>/<year:year>/", views.indicator, name="indicator"),
    # A year before a code: a region code is never a financial year.
    path("regions/", views.latest_regions, name="latest_regions"),
    path("regions/<year:year>/", views.regions, name="regions"),
    path("regions/<str:code>/", views.latest_region, name="latest_region"),
    path("regions/<str:code>/<year:year>/", views.region, name="region"),
    path("fairness/", views.latest_fairness, name="latest_fairness"),
    path("changes/<year:year>/", views.changes, name="changes"),
    path("fairness/<year:year>/", views.fairness, name="fairness"),
    path("methodology/", views.latest_methodology, name="latest_methodology"),
    path("methodology/<year:year>/", views.methodology, name="methodology"),
    path("downloads/", views.downloads, name="downloads"),
    path("downloads/datapackage.json", views.downloads_datapackage, name="datapackage"),
    path("downloads/<year:year>/<str:dataset>.<str:extension>", views.download, name="download"),
    path("releases/", views.releases, name="releases"),
    path("api/", views.api_docs, name="api_docs"),
    path("feeds/releases.atom", public_page(feeds.AnnouncementsFeed()), name="feed_releases"),
    path("feeds/publications.atom", public_page(feeds.AllPublicationsFeed()), name="feed_publications"),
    path("feeds/ratings/<year:year>/<str:type_code>.atom", public_page(feeds.YearTypeFeed()), name="feed_year_type"),
    path("feeds/organisations/<str:code>.atom", public_page(feeds.OrganisationFeed()), name="feed_organisation"),
    path("robots.txt", views.robots_txt, name="robots_txt"),
]
