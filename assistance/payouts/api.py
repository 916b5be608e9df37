"""API of the payouts: read (Charity Federation, the council's secretary, auditors), names and
account numbers masked. Payout batches are made through the same service as the admin's button."""
from django.urls import path
from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView, get_object_or_404
from rest_framework.response import Response
from rest_framework.views import APIView

from fundportal.api import FilteredList
from fundportal.api_permissions import ModelPermissions
from fundportal.masking import mask_bank_account, mask_name

from ..api_common import state_filter
from ..council.models import Resolution
from .models import Payout, PayoutBatch
from .services import payout_batch_create


@extend_schema_serializer(component_name="Payout")
class PayoutSerializer(serializers.ModelSerializer):
    batch = serializers.CharField(source="batch.number")
    application = serializers.CharField(source="application.number")
    account_holder = serializers.SerializerMethodField()
    account_number = serializers.SerializerMethodField()

    class Meta:
        model = Payout
        fields = ["id", "reference", "batch", "application", "amount", "account_holder", "bank_name",
                  "account_number", "state", "bank_message", "settled_at"]

    def get_account_holder(self, payout) -> str:
        return mask_name(payout.account_holder)

    def get_account_number(self, payout) -> str:
        return mask_bank_account(payout.account_number)


class PayoutFilters(serializers.Serializer):
    batch = serializers.CharField(max_length=20, required=False, error_messages={
        "max_length": "支付批次号不超过 20 个字符"})
    state = state_filter(Payout.State.choices, "支付")


class PayoutListApi(FilteredList, ListAPIView):
    """Payouts (Charity Federation, the council's secretary, auditors). ?batch=ZF…&state=… filter."""

    permission_classes = [ModelPermissions]
    queryset = Payout.objects.none()
    serializer_class = PayoutSerializer
    filter_serializer = PayoutFilters

    @extend_schema(parameters=[PayoutFilters])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        if not self.request.user.has_perm("assistance.view_payout"):
            return Payout.objects.none()
        filters = self.filter_values()
        payouts = Payout.objects.select_related("batch", "application").order_by("-id")
        if batch := filters.get("batch"):
            payouts = payouts.filter(batch__number=batch)
        if state := filters.get("state"):
            payouts = payouts.filter(state=state)
        return payouts


class PayoutBatchCreateApi(APIView):
    """POST: make the payout batch of a signed resolution (the same service as the admin)."""

    permission_classes = [ModelPermissions]
    queryset = PayoutBatch.objects.none()

    @extend_schema(request=None, responses=PayoutSerializer(many=True))
    def post(self, request, pk: int):
        batch = payout_batch_create(resolution=get_object_or_404(Resolution, pk=pk), acting_user=request.user)
        return Response(PayoutSerializer(batch.payouts.select_related("batch", "application"), many=True).data,
                        status=status.HTTP_201_CREATED)


urlpatterns = [
    path("resolutions/<int:pk>/payout-batch/", PayoutBatchCreateApi.as_view(), name="api-payout-batch"),
    path("payouts/", PayoutListApi.as_view(), name="api-payouts"),
]
