from django.urls import path

from . import views

app_name = "indicators"
urlpatterns = [
    path("", views.organisation_list, name="organisation_list"),
]
