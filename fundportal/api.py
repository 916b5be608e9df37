"""One place that turns domain errors into 400 responses with their Chinese message. (The parser
and pagination every API view shares are in api_permissions.py: settings name them, and this
module imports rest_framework.views.)"""
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme
from rest_framework import exceptions, serializers
from rest_framework.exceptions import ErrorDetail
from rest_framework.validators import UniqueValidator
from rest_framework.views import exception_handler as drf_exception_handler

from .validators import TEXT_MAX_LENGTH, text_limit

from .api_permissions import NOT_JSON

NOT_FOUND = _("没有找到该记录")
NO_DATA = _("没有提供数据")


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            exc = exceptions.ValidationError(exc.message_dict)
        else:
            exc = exceptions.ValidationError({"detail": exc.messages})
    if isinstance(exc, PermissionError):
        exc = exceptions.PermissionDenied(str(exc))
    # Django's Http404 names the model ("No ReviewCase matches the given query."), in English.
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(NOT_FOUND)
    # DRF's parse errors quote the parser's English ("JSON parse error - Expecting value …").
    if isinstance(exc, exceptions.ParseError):
        exc = exceptions.ParseError(NOT_JSON)
    response = drf_exception_handler(exc, context)
    if response is not None:
        response.data = _chinese(response.data)
    return response


def _chinese(data):
    """DRF's few messages that are not in its catalogue, in Chinese (by their English text)."""
    if isinstance(data, dict):
        return {key: _chinese(value) for key, value in data.items()}
    if isinstance(data, list):
        return [_chinese(value) for value in data]
    if isinstance(data, ErrorDetail) and str(data) == "No data provided":
        return ErrorDetail(str(NO_DATA), code=data.code)
    return data


def query_filters(request, filter_serializer) -> dict:
    """A list's query-string filters, checked: a value that is not one (?run=abc, ?state=x) is a
    400 naming the parameter, in Chinese, never a value passed on to the database (a 500) nor one
    silently ignored (the whole list answered as if unfiltered)."""
    filters = filter_serializer(data=request.query_params.dict())  # a blank value is checked too
    filters.is_valid(raise_exception=True)
    return filters.validated_data


class FilteredList:
    """An API list's filters, declared: `filter_serializer` names them (None: the list takes
    none), `filter_values()` gives them checked (query_filters). Every API list declares it
    (tests/assistance_desk/test_bad_query_values.py walks them with bad values)."""

    filter_serializer: type[serializers.Serializer] | None = None

    def filter_values(self) -> dict:
        return query_filters(self.request, self.filter_serializer) if self.filter_serializer else {}


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
            kwargs["max_length"] = text_limit(model_field) or TEXT_MAX_LENGTH
        if "validators" in kwargs:
            kwargs["validators"] = [v for v in kwargs["validators"] if not isinstance(v, UniqueValidator)]
        return field_class, kwargs

    def create(self, validated_data):
        raise NotImplementedError("inputs are written by services")

    def update(self, instance, validated_data):
        raise NotImplementedError("inputs are written by services")


class TokenScheme(KnoxTokenScheme):
    """The reference documents our token authentication (knox's, stricter) as knox's."""

    target_class = "fundportal.api_permissions.TokenAuthentication"
