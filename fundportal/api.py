"""One place that turns domain errors into 400 responses with their Chinese message."""
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions
from rest_framework.views import exception_handler as drf_exception_handler


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            exc = exceptions.ValidationError(exc.message_dict)
        else:
            exc = exceptions.ValidationError({"detail": exc.messages})
    if isinstance(exc, PermissionError):
        exc = exceptions.PermissionDenied(str(exc))
    return drf_exception_handler(exc, context)

