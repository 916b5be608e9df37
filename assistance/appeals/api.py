"""API of 复核: the appeals each member of staff handles (selectors.appeals_for_user, names masked;
one outside the caller's sight is a 404), a clerk's recording of a family's request, and the
decision — through the same services as the workspace and the admin, so the rules are checked once.
"""
from django.urls import path
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers
from rest_framework.generics import ListAPIView, RetrieveAPIView, get_object_or_404
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from fundportal.api import FilteredList
from fundportal.api_permissions import ModelPermissions
from fundportal.masking import mask_name

from ..api_common import state_filter
from ..applications.models import Application
from . import selectors, services
from .models import Appeal


@extend_schema_serializer(component_name="Appeal")
class AppealSerializer(serializers.ModelSerializer):
    application = serializers.CharField(source="application.number")
    name = serializers.SerializerMethodField()
    region = serializers.CharField(source="region.name")
    overdue = serializers.SerializerMethodField()
    decided_by = serializers.StringRelatedField()

    class Meta:
        model = Appeal
        fields = ["id", "number", "kind", "application", "name", "region", "channel", "grounds", "filed_on",
                  "due_on", "overdue", "state", "decision_reason", "decided_by", "decided_at"]

    def get_name(self, appeal) -> str:
        return mask_name(appeal.application.person.name)

    def get_overdue(self, appeal) -> bool:
        return appeal.state == Appeal.State.RECEIVED and appeal.due_on < timezone.localdate()  # as appeals_overdue


class AppealFilters(serializers.Serializer):
    state = state_filter(Appeal.State.choices, "复核")
    kind = serializers.ChoiceField(choices=Appeal.Kind.choices, required=False, error_messages={
        "invalid_choice": "复核事项应为 eligibility 或 amount"})
    overdue = serializers.BooleanField(required=False, default=None, allow_null=True, error_messages={
        "invalid": "overdue 应为 true 或 false"})


class AppealListApi(FilteredList, ListAPIView):
    """GET: the caller's appeals (masked), filters ?state=…&kind=…&overdue=true. POST (clerks):
    record a family's request {application: "SQ…", grounds}."""

    permission_classes = [ModelPermissions]  # GET: view_appeal; POST: add_appeal
    queryset = Appeal.objects.none()
    serializer_class = AppealSerializer
    filter_serializer = AppealFilters

    @extend_schema_serializer(component_name="AppealFileInput")
    class InputSerializer(serializers.Serializer):
        application = serializers.CharField(max_length=16)
        grounds = serializers.CharField(max_length=services.GROUNDS_MAX)

    @extend_schema(parameters=[AppealFilters])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        filters = self.filter_values()
        appeals = selectors.appeals_for_user(user=self.request.user).order_by("id")
        if state := filters.get("state"):
            appeals = appeals.filter(state=state)
        if kind := filters.get("kind"):
            appeals = appeals.filter(kind=kind)
        if filters.get("overdue"):
            appeals = selectors.appeals_overdue(appeals)
        return appeals

    @extend_schema(request=InputSerializer, responses={201: AppealSerializer})
    def post(self, request):
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        number = "".join(serializer.validated_data["application"].split()).upper()
        application = Application.objects.filter(number=number).first()
        if application is None:
            return Response({"application": ["没有这个申请编号，请核对受理回执"]}, status=400)
        appeal = services.appeal_file(application=application, grounds=serializer.validated_data["grounds"],
                                      acting_user=request.user)
        return Response(AppealSerializer(appeal).data, status=201)


class AppealDetailApi(RetrieveAPIView):
    permission_classes = [ModelPermissions]
    queryset = Appeal.objects.none()
    serializer_class = AppealSerializer

    def get_queryset(self):
        return selectors.appeals_for_user(user=self.request.user)


class SeesAppeals(BasePermission):
    """Whoever may see appeals; the service checks the kind's permission, the area and the decider."""

    def has_permission(self, request, view):
        return request.user.is_authenticated and request.user.has_perm("assistance.view_appeal")


class AppealDecideApi(APIView):
    """POST {reopen: true|false, reason}: 撤销原决定，重新办理 or 维持原决定."""

    permission_classes = [SeesAppeals]

    @extend_schema_serializer(component_name="AppealDecideInput")
    class InputSerializer(serializers.Serializer):
        reopen = serializers.BooleanField()
        reason = serializers.CharField(max_length=services.REASON_MAX)

    @extend_schema(request=InputSerializer, responses=AppealSerializer)
    def post(self, request, pk: int):
        appeal = get_object_or_404(selectors.appeals_for_user(user=request.user), pk=pk)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        appeal = services.appeal_decide(appeal=appeal, acting_user=request.user, **serializer.validated_data)
        return Response(AppealSerializer(appeal).data)


urlpatterns = [
    path("appeals/", AppealListApi.as_view(), name="api-appeals"),
    path("appeals/<int:pk>/", AppealDetailApi.as_view(), name="api-appeal"),
    path("appeals/<int:pk>/decide/", AppealDecideApi.as_view(), name="api-appeal-decide"),
]
