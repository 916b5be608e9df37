"""API of the civil-affairs desk: review cases, read and moved with the admin's rules.

Lists come from selectors.review_cases_for_user (an officer's own area only) with names and ID
numbers masked; a case outside the area is a 404, as if it did not exist. Moves call the same
services as the admin, so permissions, areas, states and separation of duties are checked once.
"""
from django.urls import path
from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers
from rest_framework.generics import ListAPIView, RetrieveAPIView, get_object_or_404
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from fundportal.api import FilteredList, ModelInputSerializer
from fundportal.api_permissions import ModelPermissions
from fundportal.masking import mask_name, mask_resident_id
from fundportal.models import Region
from fundportal.validators import TEXT_MAX_LENGTH

from ..api_common import run_filter, state_filter
from . import selectors, services
from .models import HouseholdMember, ReviewCase

MAX_HOUSEHOLD = 50  # members of one household as the village found it


@extend_schema_serializer(component_name="ReviewCase")
class ReviewCaseSerializer(serializers.ModelSerializer):
    name = serializers.SerializerMethodField()
    resident_id = serializers.SerializerMethodField()
    region = serializers.CharField(source="region.name")
    category = serializers.CharField(source="category.name", default=None)

    class Meta:
        model = ReviewCase
        fields = ["id", "name", "resident_id", "year", "region", "source", "state", "due_on", "category",
                  "decision_reason", "return_reason", "visited_on", "household_income"]

    def get_name(self, case) -> str:
        return mask_name(case.person.name)

    def get_resident_id(self, case) -> str:
        return mask_resident_id(case.person.resident_id)

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        if request is None or not selectors.sees_household(request.user):  # the MSB: the case's state only
            for name in selectors.HOUSEHOLD_FIELDS:
                fields.pop(name, None)
        return fields


class ReviewCaseFilters(serializers.Serializer):
    state = state_filter(ReviewCase.State.choices, "审核")
    run = run_filter()


class ReviewCaseListApi(FilteredList, ListAPIView):
    """Review cases of the caller's area (masked). Filters: ?state=…&run=…"""

    permission_classes = [ModelPermissions]
    queryset = ReviewCase.objects.none()  # for ModelPermissions; rows come from the selector
    serializer_class = ReviewCaseSerializer
    filter_serializer = ReviewCaseFilters

    @extend_schema(parameters=[ReviewCaseFilters])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        filters = self.filter_values()
        cases = selectors.review_cases_for_user(user=self.request.user).order_by("id")
        if state := filters.get("state"):
            cases = cases.filter(state=state)
        if run := filters.get("run"):
            cases = cases.filter(target__run_id=run)
        return cases


class ReviewCaseDetailApi(RetrieveAPIView):
    permission_classes = [ModelPermissions]
    queryset = ReviewCase.objects.none()
    serializer_class = ReviewCaseSerializer

    def get_queryset(self):
        return selectors.review_cases_for_user(user=self.request.user)


class SeesReviewCases(BasePermission):
    """Any officer who may see review cases; each move's service checks the move's own permission."""

    def has_permission(self, request, view):
        return request.user.is_authenticated and request.user.has_perm("assistance.view_reviewcase")


class ReviewCaseMoveApi(APIView):
    """POST a move: dispatch, assign {village}, verify {visited_on, household_income, household: […],
    assets, housing, notes}, determine {eligible, category, reason}, return {reason}, move {region}."""

    permission_classes = [SeesReviewCases]

    @extend_schema_serializer(component_name="HouseholdMemberInput")
    class MemberSerializer(ModelInputSerializer):
        class Meta:  # the columns' limits: name ≤ 50, relation ≤ 20, income within 14 digits …
            model = HouseholdMember
            fields = ["name", "relation", "resident_id", "annual_income", "notes"]
            extra_kwargs = {"resident_id": {"default": ""}, "notes": {"default": ""}, "annual_income": {"default": 0}}

    @extend_schema_serializer(component_name="ReviewCaseMoveInput")
    class InputSerializer(ModelInputSerializer):
        village = serializers.PrimaryKeyRelatedField(queryset=Region.objects.all(), required=False, allow_null=True)
        region = serializers.PrimaryKeyRelatedField(queryset=Region.objects.all(), required=False)
        household = serializers.ListField(child=serializers.DictField(), required=False, default=list,
                                          max_length=MAX_HOUSEHOLD)
        eligible = serializers.BooleanField(required=False)
        reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=TEXT_MAX_LENGTH)

        class Meta:  # the verification's columns, with their limits (texts, income, visit date)
            model = ReviewCase
            fields = ["village", "region", "visited_on", "household_income", "household", "assets", "housing",
                      "notes", "eligible", "category", "reason"]
            extra_kwargs = {name: {"default": ""} for name in ("assets", "housing", "notes")}

    MOVES = {
        "dispatch": lambda case, user, data: services.review_case_dispatch(case=case, acting_user=user),
        "assign": lambda case, user, data: services.review_case_assign(case=case, acting_user=user,
                                                                       village=data.get("village")),
        "verify": lambda case, user, data: services.review_case_verify(
            case=case, acting_user=user, household=data["household"], household_income=data.get("household_income"),
            visited_on=data.get("visited_on"), assets=data["assets"], housing=data["housing"], notes=data["notes"]),
        "determine": lambda case, user, data: services.review_case_determine(
            case=case, acting_user=user, eligible=data.get("eligible", False), category=data.get("category"),
            reason=data["reason"]),
        "return": lambda case, user, data: services.review_case_return(case=case, acting_user=user,
                                                                       reason=data["reason"]),
        "move": lambda case, user, data: services.review_case_move(case=case, acting_user=user,
                                                                   region=data.get("region")),
    }

    @extend_schema(request=InputSerializer, responses=ReviewCaseSerializer)
    def post(self, request, pk: int, move: str):
        case = get_object_or_404(selectors.review_cases_for_user(user=request.user), pk=pk)
        if move not in self.MOVES:
            return Response({"detail": f"没有“{move}”这一办理环节"}, status=404)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if move == "verify":
            members = self.MemberSerializer(data=data["household"], many=True)
            members.is_valid(raise_exception=True)
            data = {**data, "household": members.validated_data}
        case = self.MOVES[move](case, request.user, data)
        return Response(ReviewCaseSerializer(case, context={"request": request}).data)


urlpatterns = [
    path("review-cases/", ReviewCaseListApi.as_view(), name="api-review-cases"),
    path("review-cases/<int:pk>/", ReviewCaseDetailApi.as_view(), name="api-review-case"),
    path("review-cases/<int:pk>/<slug:move>/", ReviewCaseMoveApi.as_view(), name="api-review-case-move"),
]
