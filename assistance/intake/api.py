"""API of the warning targets: the MSB all, civil-affairs officers those of shared runs in their
area (the admin's own selector), names and ID numbers masked."""
from django.urls import path
from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers
from rest_framework.generics import ListAPIView

from fundportal.api import FilteredList
from fundportal.api_permissions import ModelPermissions
from fundportal.masking import mask_name, mask_resident_id

from ..api_common import run_filter
from . import selectors
from .models import WarningTarget


@extend_schema_serializer(component_name="WarningTarget")
class WarningTargetSerializer(serializers.ModelSerializer):
    name = serializers.SerializerMethodField()
    resident_id = serializers.SerializerMethodField()
    region = serializers.CharField(source="region.name", default=None)
    year = serializers.IntegerField(source="run.year")

    class Meta:
        model = WarningTarget
        fields = ["id", "name", "resident_id", "region", "year", "total_cost", "fund_paid", "out_of_pocket",
                  "settlement_count"]

    def get_name(self, target) -> str:
        return mask_name(target.person.name)

    def get_resident_id(self, target) -> str:
        return mask_resident_id(target.person.resident_id)


class WarningTargetFilters(serializers.Serializer):
    run = run_filter()


class WarningTargetListApi(FilteredList, ListAPIView):
    """Warning targets: the MSB all, civil-affairs officers those of shared runs in their area.
    ?run=… filters (a run the caller may not see lists nothing)."""

    permission_classes = [ModelPermissions]
    queryset = WarningTarget.objects.none()
    serializer_class = WarningTargetSerializer
    filter_serializer = WarningTargetFilters

    @extend_schema(parameters=[WarningTargetFilters])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        filters = self.filter_values()
        targets = selectors.warning_targets_for_user(user=self.request.user).order_by("id")
        if run := filters.get("run"):
            targets = targets.filter(run_id=run)
        return targets


urlpatterns = [
    path("targets/", WarningTargetListApi.as_view(), name="api-targets"),
]
