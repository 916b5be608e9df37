"""Public API of a family's progress (/api/public/progress/): number and code in a POST body, the
same steps as the page, the same count and the same 404 for a wrong code and a missing number."""
from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from fundportal.responses import no_store

from .lookup import progress_find
from .selectors import STATUSES, progress_of


class StepSerializer(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()
    status = serializers.ChoiceField(choices=STATUSES)
    date = serializers.DateField(allow_null=True)
    note = serializers.CharField()
    needed = serializers.CharField()


class AppealShownSerializer(serializers.Serializer):
    number = serializers.CharField()
    kind = serializers.CharField()
    state = serializers.CharField()
    is_open = serializers.BooleanField()
    filed_on = serializers.DateField()
    due_on = serializers.DateField()
    decided_on = serializers.DateField(allow_null=True)


class ReviewSectionSerializer(serializers.Serializer):
    can_ask = serializers.BooleanField()
    refusal = serializers.CharField(allow_null=True)
    appeals = AppealShownSerializer(many=True)


class ProgressApi(APIView):
    """Public: a family's case by application number and look-up code; 404 for any mismatch."""

    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "progress_lookup"

    @extend_schema_serializer(component_name="ProgressLookupInput")
    class InputSerializer(serializers.Serializer):
        number = serializers.CharField(min_length=1, max_length=20, trim_whitespace=False)  # cleaned by the look-up
        code = serializers.CharField(min_length=1, max_length=12, trim_whitespace=False)

    @extend_schema_serializer(component_name="Progress")
    class OutputSerializer(serializers.Serializer):
        number = serializers.CharField()
        masked_name = serializers.CharField()
        current = serializers.CharField()
        amount = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
        steps = StepSerializer(many=True)
        review = ReviewSectionSerializer()

    @extend_schema(request=InputSerializer, responses={200: OutputSerializer, 400: OpenApiTypes.OBJECT, 404: None,
                                                       429: None})
    def post(self, request):
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        result = progress_find(request, number=serializer.validated_data["number"],
                               code=serializer.validated_data["code"])
        if result.blocked:
            return no_store(Response({"detail": "尝试次数过多，请稍后再试"}, status=status.HTTP_429_TOO_MANY_REQUESTS))
        if result.found is None:
            return no_store(Response({"detail": "未找到与该申请编号和查询码匹配的申请"}, status=status.HTTP_404_NOT_FOUND))
        return no_store(Response(self.OutputSerializer(progress_of(result.found)).data))


urlpatterns = [
    path("progress/", ProgressApi.as_view(), name="api-progress"),
]
