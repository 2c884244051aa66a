from django.shortcuts import render

from . import queries
from .models import OrganisationType


def organisation_list(request):
    """Every organisation, by type. A placeholder home page until the public site lands."""
    types = OrganisationType.objects.prefetch_related("organisations__region").order_by("code")
    return render(request, "indicators/organisation_list.html", {
        "organisation_types": types,
        "synthetic": queries.is_synthetic_data_present(),
    })
