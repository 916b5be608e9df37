"""One place that turns domain errors into 400 responses with their Chinese message."""
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from rest_framework import exceptions, serializers
from rest_framework.validators import UniqueValidator
from rest_framework.views import exception_handler as drf_exception_handler

from .validators import TEXT_MAX_LENGTH


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            exc = exceptions.ValidationError(exc.message_dict)
        else:
            exc = exceptions.ValidationError({"detail": exc.messages})
    if isinstance(exc, PermissionError):
        exc = exceptions.PermissionDenied(str(exc))
    return drf_exception_handler(exc, context)



class ModelInputSerializer(serializers.ModelSerializer):
    """An API input built from the model's columns, so every field carries its column's limits:
    max_length of a CharField (TEXT_MAX_LENGTH for a TextField), max_digits of a DecimalField
    (MoneyField: 14), the integer range of an IntegerField, the date range of a DateField. What
    the database would refuse with an error is a 400 naming the field instead.

    Input only: the view passes `validated_data` to a service, which writes (and checks
    uniqueness itself, with its own message); the serializer never saves.
    """

    def get_validators(self):
        return []  # uniqueness and cross-field rules are the service's (one message, one place)

    def build_standard_field(self, field_name, model_field):
        field_class, kwargs = super().build_standard_field(field_name, model_field)
        if isinstance(model_field, models.TextField) and not kwargs.get("max_length"):
            kwargs["max_length"] = TEXT_MAX_LENGTH
        if "validators" in kwargs:
            kwargs["validators"] = [v for v in kwargs["validators"] if not isinstance(v, UniqueValidator)]
        return field_class, kwargs

    def create(self, validated_data):
        raise NotImplementedError("inputs are written by services")

    def update(self, instance, validated_data):
        raise NotImplementedError("inputs are written by services")
