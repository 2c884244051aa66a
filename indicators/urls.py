from django.urls import path

from . import views

app_name = "returns"
urlpatterns = [
    path("", views.returns_home, name="home"),
    path("template.csv", views.return_template, name="template"),
    path("<int:pk>/", views.return_detail, name="detail"),
    path("<int:pk>/confirm/", views.return_confirm, name="confirm"),
    path("<int:pk>/reverse/", views.return_reverse, name="reverse"),
    path("<int:pk>/problems.csv", views.return_problems_csv, name="problems"),
    path("<int:pk>/file", views.return_file, name="file"),
]
