from django.urls import path

from . import views

app_name = "fact_check"
urlpatterns = [
    path("", views.home, name="home"),
    path("<str:code>/<year:year>/", views.card, name="card"),
    path("<str:code>/<year:year>/figures/", views.figures, name="figures"),
    path("challenges/<int:pk>/", views.challenge, name="challenge"),
    path("challenges/<int:pk>/attachment", views.attachment, name="attachment"),
]
