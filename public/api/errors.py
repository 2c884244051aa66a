"""Every API error as {"detail": ...} (DRF's shape); a refused query
parameter's 400 adds {"errors": {parameter: [why]}}."""

from rest_framework import serializers
from rest_framework.views import exception_handler as drf_exception_handler


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="What went wrong, in words.")


class InvalidParametersSerializer(serializers.Serializer):
    """A 400: each query parameter that was refused, with why."""

    detail = serializers.CharField(required=False)
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()), required=False,
                                   help_text="{parameter: [why it was refused]}")


def exception_handler(exc, context):
    response = drf_exception_handler(exc, context)
    if response is not None and response.status_code == 400 and not (
            isinstance(response.data, dict) and set(response.data) <= {"detail"}):
        # django-filter's and DRF's field errors come as {parameter: [messages]}.
        response.data = {"detail": "Some query parameters were refused.", "errors": response.data}
    return response
