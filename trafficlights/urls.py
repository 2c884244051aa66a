from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("public.urls")),
]

handler404 = "public.views.page_not_found"
handler500 = "public.views.server_error"
