"""API for the income side: staff record and list donations; anyone may verify a receipt."""
import uuid

from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from fundportal.api import FilteredList, ModelInputSerializer
from fundportal.api_permissions import ModelPermissions

from . import ratelimits, selectors, services
from .idempotency import IdempotencyConflict
from .models import Donation, Receipt


class DonationListCreateApi(FilteredList, ListAPIView):
    """GET: donations (Charity Federation, auditors). POST: record one (ledger + receipt).

    Send an `Idempotency-Key: <uuid>` header: a retried POST then returns the first donation.
    """

    permission_classes = [ModelPermissions]
    queryset = Donation.objects.none()  # for DjangoModelPermissions; rows come from the selector

    @extend_schema_serializer(component_name="DonationInput")
    class InputSerializer(ModelInputSerializer):
        # Built from the columns: bank_reference ≤ 64, note ≤ 200 characters, giver_count within
        # the integer column, amount within 14 digits — a 400 before the database, never a 500.
        class Meta:
            model = Donation
            fields = ["donor", "is_anonymous", "amount", "received_on", "channel", "bank_reference", "campaign",
                      "instalment", "giver_count", "note"]
            extra_kwargs = {"giver_count": {"min_value": 1}}

    @extend_schema_serializer(component_name="Donation")
    class OutputSerializer(serializers.ModelSerializer):
        donor_name = serializers.CharField(source="donor_display")
        receipt_number = serializers.SerializerMethodField()

        class Meta:
            model = Donation
            fields = ["id", "donor", "donor_name", "is_anonymous", "amount", "received_on", "channel",
                      "bank_reference", "campaign", "giver_count", "status", "receipt_number"]

        def get_receipt_number(self, donation) -> str:
            return donation.valid_receipt_number()

    serializer_class = OutputSerializer

    def get_queryset(self):
        return selectors.donations_for_user(user=self.request.user).prefetch_related("receipts")

    @extend_schema(request=InputSerializer, responses={201: OutputSerializer, 422: None})
    def post(self, request):
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        key = request.headers.get("Idempotency-Key")
        try:
            idempotency_key = uuid.UUID(key) if key else None
        except ValueError:
            return Response({"detail": "Idempotency-Key 须为 UUID"}, status=status.HTTP_400_BAD_REQUEST)
        try:
            donation = services.donation_record(acting_user=request.user, idempotency_key=idempotency_key,
                                                **serializer.validated_data)
        except IdempotencyConflict as exc:
            return Response({"detail": exc.messages[0]}, status=status.HTTP_422_UNPROCESSABLE_ENTITY)
        response = Response(self.OutputSerializer(donation).data, status=status.HTTP_201_CREATED)
        if donation.replayed:
            response["Idempotent-Replayed"] = "true"  # as Stripe marks an answer given again
        return response


class ReceiptVerifyApi(APIView):
    """Public: a receipt's public facts by number and verification code; 404 for any mismatch."""

    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "receipt_lookup"

    @extend_schema_serializer(component_name="ReceiptVerifyInput")
    class InputSerializer(serializers.Serializer):
        number = serializers.CharField(min_length=1, max_length=20, trim_whitespace=False)  # cleaned by the look-up
        code = serializers.CharField(min_length=1, max_length=12, trim_whitespace=False)

    @extend_schema_serializer(component_name="ReceiptVerified")
    class OutputSerializer(serializers.Serializer):
        number = serializers.CharField()
        donor_name = serializers.CharField()
        amount = serializers.DecimalField(max_digits=14, decimal_places=2)
        received_on = serializers.DateField()
        status = serializers.ChoiceField(choices=Receipt.Status.choices)

    @extend_schema(request=InputSerializer, responses={200: OutputSerializer, 404: None})
    def post(self, request):
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        result = ratelimits.receipt_lookup(request, number=serializer.validated_data["number"],
                                           code=serializer.validated_data["code"])
        if result.blocked:
            return Response({"detail": "尝试次数过多，请稍后再试"}, status=status.HTTP_429_TOO_MANY_REQUESTS)
        if result.found is None:
            return Response({"detail": "未找到与该编号和验证码匹配的收据"}, status=status.HTTP_404_NOT_FOUND)
        return Response(self.OutputSerializer(result.found).data)


class ReceiptFilters(serializers.Serializer):
    status = serializers.ChoiceField(choices=Receipt.Status.choices, required=False, error_messages={
        "invalid_choice": f"收据状态应为以下之一：{'、'.join(Receipt.Status.values)}"})
    year = serializers.IntegerField(min_value=2000, max_value=2100, required=False, error_messages={
        "invalid": "年度应为四位数字", "min_value": "年度应为四位数字", "max_value": "年度应为四位数字",
        "max_string_length": "年度应为四位数字"})


class ReceiptListApi(FilteredList, ListAPIView):
    """Receipts issued (Charity Federation, auditors): number, status, donor as printed, amount.
    ?status=valid|voided, ?year=2023 filter."""

    permission_classes = [ModelPermissions]
    queryset = Receipt.objects.none()
    filter_serializer = ReceiptFilters

    @extend_schema(parameters=[ReceiptFilters])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema_serializer(component_name="Receipt")
    class OutputSerializer(serializers.ModelSerializer):
        class Meta:
            model = Receipt
            fields = ["id", "number", "status", "donor_name", "is_organisation", "amount", "received_on",
                      "donation"]

    serializer_class = OutputSerializer

    def get_queryset(self):
        if not self.request.user.has_perm("donations.view_receipt"):
            return Receipt.objects.none()
        filters = self.filter_values()
        receipts = Receipt.objects.order_by("-id")
        if status_ := filters.get("status"):
            receipts = receipts.filter(status=status_)
        if year := filters.get("year"):
            receipts = receipts.filter(year=year)
        return receipts
