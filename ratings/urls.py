from django.urls import path

from . import views

app_name = "ratings_admin"
urlpatterns = [
    path("", views.workflow, name="workflow"),
    path("interventions/", views.interventions, name="interventions"),
    path("<year:year>/", views.year_page, name="year"),
    path("<year:year>/definitions/<str:code>/", views.definition, name="definition"),
    path("<year:year>/recalculate/", views.recalculate, name="recalculate"),
    path("<year:year>/method/", views.scheme, name="scheme"),
    path("<year:year>/method/delete/", views.delete_scheme, name="delete_scheme"),
    path("<year:year>/copy-method/", views.copy_method, name="copy_method"),
    path("<year:year>/compare/", views.compare, name="compare"),
    path("<year:year>/what-if/", views.what_if, name="what_if"),
    path("<year:year>/publish/", views.publish_year, name="publish_year"),
    path("recalculations/<int:pk>/", views.recalculation, name="recalculation"),
    path("recalculations/<int:pk>/progress.json", views.recalculation_progress, name="recalculation_progress"),
    path("recalculations/<int:pk>/mark-failed/", views.recalculation_mark_failed, name="recalculation_mark_failed"),
    path("what-ifs/<int:pk>/", views.what_if_result, name="what_if_result"),
    path("what-ifs/<int:pk>/progress.json", views.what_if_progress, name="what_if_progress"),
    path("what-ifs/<int:pk>/mark-failed/", views.what_if_mark_failed, name="what_if_mark_failed"),
    path("<year:year>/fact-check/", views.fact_check_windows, name="fact_check_windows"),
    path("fact-check/<int:pk>/", views.fact_check_window, name="fact_check_window"),
    path("fact-check/<int:pk>/close/", views.fact_check_close, name="fact_check_close"),
    path("challenges/<int:pk>/", views.challenge, name="challenge"),
    path("challenges/<int:pk>/attachment", views.challenge_attachment, name="challenge_attachment"),
    path("runs/<int:pk>/publish/", views.publish, name="publish"),
    path("runs/<int:pk>/withdraw/", views.withdraw, name="withdraw"),
]
