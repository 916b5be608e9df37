"""API of the council's resolutions: read (names masked) and sign through the same service as
the admin. There is no PUT, PATCH or DELETE: a signed resolution never changes, and a draft is
edited on its page, through the services."""
from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.generics import ListAPIView, RetrieveAPIView, get_object_or_404
from rest_framework.response import Response
from rest_framework.views import APIView

from fundportal.api import FilteredList
from fundportal.api_permissions import ModelPermissions
from fundportal.masking import mask_name

from . import services
from .models import Resolution, ResolutionItem


class ResolutionItemSerializer(serializers.ModelSerializer):
    application = serializers.CharField(source="application.number")
    name = serializers.SerializerMethodField()

    class Meta:
        model = ResolutionItem
        fields = ["application", "name", "decision", "reason", "computed", "amount", "breakdown"]

    def get_name(self, item) -> str:
        return mask_name(item.application.person.name)


class ResolutionSerializer(serializers.ModelSerializer):
    number = serializers.CharField(read_only=True)
    meeting = serializers.CharField(source="meeting.__str__")
    items = ResolutionItemSerializer(many=True)

    class Meta:
        model = Resolution
        fields = ["id", "number", "kind", "title", "text", "meeting", "scheme", "amends", "over_budget", "order",
                  "available", "requested", "approved", "quorum", "signed_at", "items"]


def _resolutions():
    return Resolution.objects.select_related("meeting").prefetch_related("items__application__person").order_by("-id")


class ResolutionListApi(FilteredList, ListAPIView):
    permission_classes = [ModelPermissions]  # no filters: a council has a few resolutions a year
    queryset = Resolution.objects.none()
    serializer_class = ResolutionSerializer

    def get_queryset(self):
        return _resolutions()


class ResolutionDetailApi(RetrieveAPIView):
    permission_classes = [ModelPermissions]
    queryset = Resolution.objects.none()
    serializer_class = ResolutionSerializer

    def get_queryset(self):
        return _resolutions()


class ResolutionSignApi(APIView):
    """POST: sign a draft (the secretary; quorum and figures checked again by the service)."""

    permission_classes = [ModelPermissions]
    queryset = Resolution.objects.none()

    @extend_schema(request=None, responses=ResolutionSerializer)
    def post(self, request, pk: int):
        resolution = services.resolution_sign(resolution=get_object_or_404(Resolution, pk=pk),
                                              acting_user=request.user)
        return Response(ResolutionSerializer(_resolutions().get(pk=resolution.pk)).data)


urlpatterns = [
    path("resolutions/", ResolutionListApi.as_view(), name="api-resolutions"),
    path("resolutions/<int:pk>/", ResolutionDetailApi.as_view(), name="api-resolution"),
    path("resolutions/<int:pk>/sign/", ResolutionSignApi.as_view(), name="api-resolution-sign"),
]
