"""Staff API of objections (异议): read, record, investigate and decide, with the admin's rules.

Lists come from selectors.objections_for_user (an officer's own area; an objection elsewhere is a
404, as if it did not exist); the objector's name and contact are masked, and what the objection
says and what the visit found are shown only to those handling it (selectors.sees_objector).
Writes call the same services as the admin, so permissions, areas, periods, states and the
original decider are checked once. The look-up code is answered once, to whoever recorded it.
"""
from django.urls import path
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView, RetrieveAPIView, get_object_or_404
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from fundportal.api import FilteredList
from fundportal.api_permissions import ModelPermissions
from fundportal.masking import mask_name

from ..api_common import state_filter
from . import selectors, services
from .forms import INVESTIGATION_MAX, RECORDED_CHANNELS
from .models import Objection

OBJECTOR_FIELDS = ("objector_name", "contact", "content", "investigation")


@extend_schema_serializer(component_name="Objection")
class ObjectionSerializer(serializers.ModelSerializer):
    publicity = serializers.IntegerField(source="entry.publicity_id")
    resolution = serializers.CharField(source="entry.publicity.resolution.number")
    line = serializers.IntegerField(source="entry.line")
    shown_name = serializers.CharField(source="entry.shown_name")
    region = serializers.CharField(source="region.name")
    amount = serializers.DecimalField(source="entry.amount", max_digits=14, decimal_places=2)
    overdue = serializers.SerializerMethodField()
    objector_name = serializers.SerializerMethodField()
    contact = serializers.SerializerMethodField()

    class Meta:
        model = Objection
        fields = ["id", "number", "publicity", "resolution", "line", "shown_name", "region", "amount", "channel",
                  "state", "received_on", "due_on", "overdue", "objector_name", "contact", "content",
                  "investigation", "visited_on", "decision_reason", "decided_at"]

    def get_overdue(self, objection) -> bool:
        return objection.is_open and objection.due_on < timezone.localdate()  # selectors.objections_overdue

    def get_objector_name(self, objection) -> str:
        return mask_name(objection.objector_name)

    def get_contact(self, objection) -> str:
        return selectors.contact_masked(objection.contact)

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        if request is None or not selectors.sees_objector(request.user):
            for name in OBJECTOR_FIELDS:
                fields.pop(name, None)
        return fields


class ObjectionFilters(serializers.Serializer):
    state = state_filter(Objection.State.choices, "异议")
    overdue = serializers.BooleanField(required=False, allow_null=True, default=None, error_messages={
        "invalid": "overdue 应为 true 或 false"})


class ObjectionListApi(FilteredList, ListAPIView):
    """GET: objections of the caller's area (masked). ?state=…&overdue=true filter.
    POST: record one received by phone, letter or visit {publicity (its id), line, channel,
    received_on, content, objector_name, contact}."""

    permission_classes = [ModelPermissions]
    queryset = Objection.objects.none()  # for ModelPermissions; rows come from the selector
    serializer_class = ObjectionSerializer
    filter_serializer = ObjectionFilters

    class RecordSerializer(serializers.Serializer):
        publicity = serializers.IntegerField(min_value=1, max_value=2**31 - 1)
        line = serializers.IntegerField(min_value=1, max_value=2**31 - 1)
        channel = serializers.CharField(max_length=8, help_text="、".join(
            f"{value}（{label}）" for value, label in RECORDED_CHANNELS))  # the service refuses any other
        received_on = serializers.DateField()
        content = serializers.CharField(max_length=services.REASON_MAX, allow_blank=True)
        objector_name = serializers.CharField(max_length=services.NAME_MAX, allow_blank=True, default="")
        contact = serializers.CharField(max_length=services.CONTACT_MAX, allow_blank=True, default="")

    @extend_schema(parameters=[ObjectionFilters])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        filters = self.filter_values()
        objections = selectors.objections_for_user(user=self.request.user).order_by("id")
        if state := filters.get("state"):
            objections = objections.filter(state=state)
        if filters.get("overdue") is not None:
            overdue = selectors.objections_overdue(objections)
            objections = overdue if filters["overdue"] else objections.exclude(pk__in=overdue.values("pk"))
        return objections

    @extend_schema(request=RecordSerializer, responses={201: ObjectionSerializer})
    def post(self, request):
        data = self.RecordSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        data = data.validated_data
        publicity = selectors.publicities_for_user(user=request.user).filter(pk=data["publicity"]).first()
        entry = selectors.entry_by_line(publicity, data["line"]) if publicity else None
        if entry is None:
            return Response({"line": [f"没有该公示的第 {data['line']} 号"]}, status=status.HTTP_400_BAD_REQUEST)
        objection = services.objection_record(
            entry=entry, channel=data["channel"], content=data["content"], received_on=data["received_on"],
            acting_user=request.user, objector_name=data["objector_name"], contact=data["contact"])
        shown = ObjectionSerializer(objection, context={"request": request}).data
        # The objector's key to the outcome, told once to whoever recorded it (never in a list).
        return Response({**shown, "lookup_code": objection.lookup_code}, status=status.HTTP_201_CREATED)


class ObjectionDetailApi(RetrieveAPIView):
    permission_classes = [ModelPermissions]
    queryset = Objection.objects.none()
    serializer_class = ObjectionSerializer

    def get_queryset(self):
        return selectors.objections_for_user(user=self.request.user)


class SeesObjections(BasePermission):
    """Anyone who may see objections; each move's service checks the move's own permission."""

    def has_permission(self, request, view):
        return request.user.is_authenticated and request.user.has_perm("assistance.view_objection")


class ObjectionMoveApi(APIView):
    """POST a move: investigate {investigation, visited_on}, decide {upheld, reason}."""

    permission_classes = [SeesObjections]

    @extend_schema_serializer(component_name="ObjectionMoveInput")
    class InputSerializer(serializers.Serializer):
        investigation = serializers.CharField(required=False, allow_blank=True, default="",
                                              max_length=INVESTIGATION_MAX)
        visited_on = serializers.DateField(required=False, allow_null=True, default=None)
        upheld = serializers.BooleanField(required=False, allow_null=True, default=None)
        reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=services.REASON_MAX)

    @extend_schema(request=InputSerializer, responses=ObjectionSerializer, operation_id="assistance_objections_move")
    def post(self, request, pk: int, move: str):
        objection = get_object_or_404(selectors.objections_for_user(user=request.user), pk=pk)
        if move not in ("investigate", "decide"):
            return Response({"detail": f"没有“{move}”这一办理环节"}, status=404)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if move == "investigate":
            objection = services.objection_investigate(objection=objection, acting_user=request.user,
                                                       investigation=data["investigation"],
                                                       visited_on=data["visited_on"])
        else:
            if data["upheld"] is None:
                return Response({"upheld": ["请说明异议是否成立（true 成立，false 不成立）"]}, status=400)
            objection = services.objection_decide(objection=objection, acting_user=request.user,
                                                  upheld=data["upheld"], reason=data["reason"])
        return Response(ObjectionSerializer(objection, context={"request": request}).data)


urlpatterns = [
    path("objections/", ObjectionListApi.as_view(), name="api-objections"),
    path("objections/<int:pk>/", ObjectionDetailApi.as_view(), name="api-objection"),
    path("objections/<int:pk>/<slug:move>/", ObjectionMoveApi.as_view(), name="api-objection-move"),
]
