from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, register_converter

from indicators.years import FinancialYearConverter

# <year:year> in every app's URLs (2000-01 in the URL, 2000 in the view): registered
# once, before the apps' URLs below are read.
register_converter(FinancialYearConverter, "year")

# The admin's name on every admin page (its header, page titles and home), not "Django administration".
admin.site.site_header = admin.site.site_title = "NHS traffic-light ratings administration"
admin.site.index_title = "Data, ratings and users"

urlpatterns = [
    # The ratings workflow, in the admin's look and behind its sign-in.
    path("admin/workflow/", include("ratings.urls")),
    path("admin/", admin.site.urls),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("returns/", include("indicators.urls")),
    path("fact-check/", include("public.fact_check.urls")),
    path("api/v1/", include("public.api.urls")),
    path("", include("public.urls")),
]

handler404 = "public.views.page_not_found"
handler500 = "public.views.server_error"
