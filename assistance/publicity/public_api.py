"""Public API of 公示 (/api/public/publicity/…): no login, the same reads and services as the pages.

The lists are what the pages show (masked name, village, category, amount) and may be cached a
minute. Submitting an objection is limited like the page (one count, group "objection"); the
look-up answers a wrong code exactly as a missing number (404, same body), counted with the page's
look-ups (group "objection-lookup") and refunded when the code was right.
"""
import re

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import path
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.views.decorators.cache import cache_control
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.generics import ListAPIView
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from fundportal.api import FilteredList
from fundportal.ratelimits import take

from . import public_selectors, services
from .lookup import objection_lookup
from .models import Objection
from .public_forms import SERVICE_FIELDS
from .services import CONTACT_MAX, NAME_MAX, REASON_MAX, REASON_MIN

TOO_MANY = "尝试次数过多，请稍后再试"
NOT_FOUND = "未找到与该编号和查询码匹配的异议"


class Public:
    permission_classes = [AllowAny]
    authentication_classes = []  # no session: no CSRF, no per-user answer
    renderer_classes = [JSONRenderer]  # no browsable HTML (with its CSRF token) in a publicly cached answer


def _publicity(pk: str):
    """The 公示 of a path's key: any key that is not a whole number is simply not found (JSON 404)."""
    publicity = public_selectors.publicity_public(int(pk)) if re.fullmatch(r"[0-9]{1,9}", pk) else None
    if publicity is None:
        raise NotFound("没有这份公示")
    return publicity


@extend_schema_serializer(component_name="PublicityPublic")
class PublicitySerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    resolution = serializers.CharField(source="resolution.number")
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    days = serializers.IntegerField()
    is_open = serializers.SerializerMethodField()
    entries = serializers.IntegerField(source="entry_count")
    objections = serializers.SerializerMethodField()

    def get_is_open(self, publicity) -> bool:
        return publicity.is_open_on(timezone.localdate())

    @extend_schema_serializer(component_name="PublicityObjectionCounts")
    class Counts(serializers.Serializer):
        received = serializers.IntegerField()
        upheld = serializers.IntegerField()
        dismissed = serializers.IntegerField()
        open = serializers.IntegerField()

    @extend_schema_field(Counts)
    def get_objections(self, publicity) -> dict:
        return {"received": publicity.received, "upheld": publicity.upheld, "dismissed": publicity.dismissed,
                "open": publicity.still_open}


@extend_schema_serializer(component_name="PublicityEntryPublic")
class EntrySerializer(serializers.Serializer):
    line = serializers.IntegerField()
    name = serializers.CharField(source="shown_name")
    village = serializers.CharField(source="region.name")
    village_code = serializers.CharField(source="region.code")
    category = serializers.CharField()
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)


@method_decorator(cache_control(public=True, max_age=60), name="get")
class PublicityListApi(FilteredList, Public, ListAPIView):
    """Every posted 公示, those open today first: period, resolution, entries, objection counts."""

    serializer_class = PublicitySerializer
    filter_serializer = None  # the list takes no filters

    @extend_schema(responses={200: PublicitySerializer(many=True), 400: OpenApiTypes.OBJECT})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return public_selectors.publicities_public()


class EntryFilters(serializers.Serializer):
    region = serializers.RegexField(r"^[0-9]{6,12}$", required=False, help_text="乡镇（街道）或村（社区）区划代码",
                                    error_messages={"invalid": "地区应为 6 至 12 位数字的区划代码"})


@method_decorator(cache_control(public=True, max_age=60), name="get")
class PublicityEntriesApi(FilteredList, Public, ListAPIView):
    """The lines of one 公示 (?region=<town or village code> for one area), in line order."""

    serializer_class = EntrySerializer
    filter_serializer = EntryFilters

    @extend_schema(parameters=[EntryFilters, OpenApiParameter("pk", int, OpenApiParameter.PATH)],
                   responses={200: EntrySerializer(many=True), 400: OpenApiTypes.OBJECT, 404: OpenApiTypes.OBJECT})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        publicity = _publicity(self.kwargs["pk"])
        code = self.filter_values().get("region")
        if code is None:
            return public_selectors.publicity_entries_public(publicity)
        region = public_selectors.publicity_area(publicity, code)
        if region is None:
            raise NotFound("该公示在这个地区没有名单")
        return public_selectors.area_entries(publicity, region)


class ObjectionSubmitApi(Public, APIView):
    """Object to one line of an open 公示. Answers the number and the look-up code (keep both)."""

    @extend_schema_serializer(component_name="ObjectionSubmitInput")
    class InputSerializer(serializers.Serializer):
        line = serializers.IntegerField(min_value=1, max_value=1_000_000)
        content = serializers.CharField(min_length=REASON_MIN, max_length=REASON_MAX)
        objector_name = serializers.CharField(max_length=NAME_MAX, required=False, allow_blank=True, default="")
        contact = serializers.CharField(max_length=CONTACT_MAX, required=False, allow_blank=True, default="")

    @extend_schema_serializer(component_name="ObjectionFiled")
    class OutputSerializer(serializers.Serializer):
        number = serializers.CharField()
        lookup_code = serializers.CharField()
        received_on = serializers.DateField()
        due_on = serializers.DateField()

    @extend_schema(request=InputSerializer, parameters=[OpenApiParameter("pk", int, OpenApiParameter.PATH)],
                   responses={201: OutputSerializer, 400: OpenApiTypes.OBJECT, 404: OpenApiTypes.OBJECT,
                              429: OpenApiTypes.OBJECT})
    def post(self, request, pk):
        publicity = _publicity(pk)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        entry = public_selectors.entry_public(publicity, data.pop("line"))
        if entry is None:
            raise NotFound("该公示没有这一行")
        attempt = take(request, group="objection", rate=settings.OBJECTION_RATE)
        if attempt is None:
            return Response({"detail": "提交过于频繁，请稍后再试"}, status=status.HTTP_429_TOO_MANY_REQUESTS)
        try:
            objection = services.objection_submit_online(entry=entry, **data)
        except DjangoValidationError as exc:
            attempt.refund()  # nothing was filed: it does not count
            if hasattr(exc, "error_dict"):
                return Response({SERVICE_FIELDS.get(label, "detail"): [str(m) for e in errors for m in e.messages]
                                 for label, errors in exc.error_dict.items()}, status=status.HTTP_400_BAD_REQUEST)
            return Response({"detail": exc.messages}, status=status.HTTP_400_BAD_REQUEST)
        return Response(self.OutputSerializer(objection).data, status=status.HTTP_201_CREATED)


class ObjectionLookupApi(Public, APIView):
    """An objection's state by number and look-up code; once decided, the outcome and its reason."""

    @extend_schema_serializer(component_name="ObjectionLookupInput")
    class InputSerializer(serializers.Serializer):
        number = serializers.CharField(min_length=1, max_length=20, trim_whitespace=False)  # cleaned by the look-up
        code = serializers.CharField(min_length=1, max_length=12, trim_whitespace=False)

    @extend_schema_serializer(component_name="ObjectionPublic")
    class OutputSerializer(serializers.Serializer):
        number = serializers.CharField()
        state = serializers.ChoiceField(choices=Objection.State.choices)
        state_label = serializers.CharField(source="get_state_display")
        received_on = serializers.DateField()
        due_on = serializers.DateField()
        outcome = serializers.SerializerMethodField()
        reason = serializers.SerializerMethodField()
        decided_on = serializers.SerializerMethodField()
        publicity = serializers.IntegerField(source="entry.publicity_id")
        entry = EntrySerializer()

        def get_outcome(self, objection) -> str | None:
            return None if objection.is_open else str(objection.get_state_display())

        def get_reason(self, objection) -> str | None:
            return None if objection.is_open else objection.decision_reason

        def get_decided_on(self, objection) -> str | None:
            return timezone.localtime(objection.decided_at).date().isoformat() if objection.decided_at else None

    @extend_schema(request=InputSerializer, responses={200: OutputSerializer, 400: OpenApiTypes.OBJECT,
                                                       404: OpenApiTypes.OBJECT, 429: OpenApiTypes.OBJECT})
    def post(self, request):
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        result = objection_lookup(request, number=serializer.validated_data["number"],
                                                   code=serializer.validated_data["code"])
        if result.found is None:
            return Response({"detail": TOO_MANY if result.blocked else NOT_FOUND}, status=result.status)
        return Response(self.OutputSerializer(result.found).data)


urlpatterns = [
    path("", PublicityListApi.as_view(), name="api-publicity-list"),
    path("objections/lookup/", ObjectionLookupApi.as_view(), name="api-publicity-objection-lookup"),
    path("<str:pk>/entries/", PublicityEntriesApi.as_view(), name="api-publicity-entries"),
    path("<str:pk>/objections/", ObjectionSubmitApi.as_view(), name="api-publicity-objection-submit"),
]
