"""The schema generator's one addition to drf-spectacular: the errors every
operation can answer, so clients (and schemathesis) know them."""

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse

from .errors import ErrorSerializer, InvalidParametersSerializer


class PublicAPISchema(AutoSchema):
    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        errors = {
            "404": OpenApiResponse(ErrorSerializer, description="Not found, or not published."),
            "429": OpenApiResponse(ErrorSerializer, description="Too many requests from this address: wait for "
                                                                "the seconds given in the Retry-After header."),
        }
        view = self.view
        takes_parameters = getattr(view, "filterset_class", None) or getattr(view, "pagination_class", None) or getattr(
            view, "refuses_parameters", False)
        if takes_parameters and getattr(view, "action", None) != "retrieve":
            errors["400"] = OpenApiResponse(InvalidParametersSerializer, description="A query parameter was refused.")
        for code, response in errors.items():
            if code not in responses:
                responses[code] = self._get_response_for_code(response, code, direction=direction)
        return responses
