"""API of the applications: read, with the admin's own role and area rules (the same selector),
names and ID numbers masked."""
from django.urls import path
from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers
from rest_framework.generics import ListAPIView, RetrieveAPIView

from fundportal.api import FilteredList
from fundportal.api_permissions import ModelPermissions
from fundportal.masking import mask_name, mask_resident_id

from ..api_common import state_filter
from . import selectors
from .models import Application


@extend_schema_serializer(component_name="Application")
class ApplicationSerializer(serializers.ModelSerializer):
    name = serializers.SerializerMethodField()
    resident_id = serializers.SerializerMethodField()
    region = serializers.CharField(source="region.name")

    class Meta:
        model = Application
        fields = ["id", "number", "name", "resident_id", "region", "year", "state", "insured_out_of_pocket",
                  "other_assistance", "submitted_at"]

    def get_name(self, application) -> str:
        return mask_name(application.person.name)

    def get_resident_id(self, application) -> str:
        return mask_resident_id(application.person.resident_id)


class ApplicationFilters(serializers.Serializer):
    state = state_filter(Application.State.choices, "申请")


class ApplicationListApi(FilteredList, ListAPIView):
    """Applications: clerks their own, civil affairs their area, the council's secretary those
    ready or decided, the MSB and auditors all. ?state=… filters."""

    permission_classes = [ModelPermissions]
    queryset = Application.objects.none()
    serializer_class = ApplicationSerializer
    filter_serializer = ApplicationFilters

    @extend_schema(parameters=[ApplicationFilters])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        filters = self.filter_values()
        applications = selectors.applications_for_user(user=self.request.user).order_by("-submitted_at", "-id")
        if state := filters.get("state"):
            applications = applications.filter(state=state)
        return applications


class ApplicationDetailApi(RetrieveAPIView):
    permission_classes = [ModelPermissions]
    queryset = Application.objects.none()
    serializer_class = ApplicationSerializer

    def get_queryset(self):
        return selectors.applications_for_user(user=self.request.user)


urlpatterns = [
    path("applications/", ApplicationListApi.as_view(), name="api-applications"),
    path("applications/<int:pk>/", ApplicationDetailApi.as_view(), name="api-application"),
]
