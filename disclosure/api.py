"""Public, read-only API of published statements and the fund's totals: no login, paginated,
filterable (?kind=month&year=2023), and cacheable (ETag from the chain head, short max-age); and
the assistance scheme in force (disclosure/scheme_page.py), cached a minute."""
import re

from django.utils.decorators import method_decorator
from django.views.decorators.cache import cache_control
from django.views.decorators.http import condition
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.generics import ListAPIView, RetrieveAPIView
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from fundportal.api import FilteredList
from fundportal.api_permissions import PageLimits

from . import scheme_page
from .models import ChainHead, Statement
from .selectors import overview


def _chain_etag(request, *args, **kwargs) -> str:
    """Everything public changes only when a statement is published: the chain head says when."""
    head = ChainHead.objects.select_related("last").filter(pk=1).first()
    return f'"{head.last.sha256 if head and head.last else "empty"}"'


def cacheable(view_class):
    """GET answers 304 to a client that has the current chain head, and may be cached a minute."""
    view_class.get = method_decorator(condition(etag_func=_chain_etag))(view_class.get)
    view_class.get = method_decorator(cache_control(public=True, max_age=60))(view_class.get)
    return view_class


class StatementSerializer(serializers.ModelSerializer):
    class Meta:
        model = Statement
        fields = ["sequence", "kind", "title", "period_start", "period_end", "published_at", "sha256",
                  "previous_sha256"]


class StatementDetailSerializer(StatementSerializer):
    content = serializers.JSONField()
    corrects = serializers.IntegerField(source="corrects.sequence", default=None, allow_null=True)

    class Meta(StatementSerializer.Meta):
        fields = [*StatementSerializer.Meta.fields, "corrects", "content"]


class StrictLimitOffset(PageLimits):  # the bounds every API list has (fundportal.api_permissions)
    """As DRF's, but a limit or offset that is not a whole number is a 400, not silently ignored."""

    max_limit = 200

    def paginate_queryset(self, queryset, request, view=None):
        for name in (self.limit_query_param, self.offset_query_param):
            values = request.query_params.getlist(name)
            if len(values) > 1 or any(not value.isdigit() for value in values):
                raise ValidationError({name: "应为一个非负整数"})
        return super().paginate_queryset(queryset, request, view)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 0
        return parameters


class Public:
    permission_classes = [AllowAny]
    authentication_classes = []
    renderer_classes = [JSONRenderer]  # no browsable HTML (with its CSRF token) in a publicly cached answer
    pagination_class = StrictLimitOffset


def _published():
    return Statement.objects.filter(state=Statement.State.PUBLISHED).select_related("corrects").order_by("-sequence")


class StatementFilterSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Statement.Kind.choices, required=False,
                                   error_messages={"invalid_choice": "类型应为 month、quarter、year、custom、correction 或 annual"})
    year = serializers.IntegerField(min_value=2000, max_value=2100, required=False,
                                    error_messages={"invalid": "年度应为四位数字"})


@cacheable
class StatementListApi(FilteredList, Public, ListAPIView):
    """Published statements, newest first, with their hashes. ?kind=month&year=2023 filter."""

    serializer_class = StatementSerializer
    filter_serializer = StatementFilterSerializer

    @extend_schema(parameters=[StatementFilterSerializer], responses={200: StatementSerializer(many=True),
                                                                       400: OpenApiTypes.OBJECT})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        filters = self.filter_values()
        statements = _published()
        if kind := filters.get("kind"):
            statements = statements.filter(kind=kind)
        if year := filters.get("year"):
            statements = statements.filter(period_start__year=year)
        return statements


@cacheable
class StatementDetailApi(Public, RetrieveAPIView):
    """One published statement with its full content (exactly what was hashed)."""

    serializer_class = StatementDetailSerializer

    @extend_schema(parameters=[OpenApiParameter("sequence", int, OpenApiParameter.PATH)],
                   responses={200: StatementDetailSerializer, 404: OpenApiTypes.OBJECT})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_object(self):
        sequence = self.kwargs["sequence"]
        statement = (_published().filter(sequence=int(sequence)).first()
                     if re.fullmatch(r"[0-9]{1,9}", sequence) else None)
        if statement is None:
            raise NotFound("没有这份公示")
        return statement


@cacheable
class FundApi(Public, APIView):
    """The fund at a glance, over the published monthly statements."""

    @extend_schema(responses=inline_serializer("Fund", {
        "received": serializers.DecimalField(max_digits=14, decimal_places=2),
        "paid": serializers.DecimalField(max_digits=14, decimal_places=2),
        "balance": serializers.DecimalField(max_digits=14, decimal_places=2),
        "donors": serializers.IntegerField(), "people": serializers.IntegerField(),
        "as_of": serializers.CharField()}))
    def get(self, request):
        figures = overview()
        return Response({"received": f"{figures.received:.2f}", "paid": f"{figures.paid:.2f}",
                         "balance": f"{figures.balance:.2f}", "donors": figures.donors, "people": figures.people,
                         "as_of": figures.as_of})


class PublicSchemeBandSerializer(serializers.Serializer):
    lower = serializers.CharField(help_text="起付标准以上的下限（元）")
    upper = serializers.CharField(allow_null=True, help_text="上限（元）；null 表示不设上限")
    ratio = serializers.CharField(help_text="救助比例，如 0.70")


class PublicSchemeRuleSerializer(serializers.Serializer):
    category = serializers.CharField(allow_null=True, help_text="认定类别；null 表示其他所有类别")
    deductible = serializers.CharField(help_text="起付标准（元）")
    bands = PublicSchemeBandSerializer(many=True)


class PublicSchemeExampleBandSerializer(PublicSchemeBandSerializer):
    base = serializers.CharField()
    amount = serializers.CharField()


class PublicSchemeExampleSerializer(serializers.Serializer):
    category = serializers.CharField(allow_null=True)
    out_of_pocket = serializers.CharField()
    other_assistance = serializers.CharField()
    extra_costs = serializers.CharField()
    eligible_cost = serializers.CharField()
    deductible = serializers.CharField()
    above_deductible = serializers.CharField()
    bands = PublicSchemeExampleBandSerializer(many=True)
    computed = serializers.CharField()
    annual_cap = serializers.CharField()
    entitlement = serializers.CharField()
    already_paid = serializers.CharField()
    cap_left = serializers.CharField()
    amount = serializers.CharField()


class PublicSchemeHowToApplySerializer(serializers.Serializer):
    who_may_apply = serializers.CharField(allow_blank=True)
    documents = serializers.ListField(child=serializers.CharField(), help_text="所需材料，一次告知")
    where_to_apply = serializers.CharField(allow_blank=True)
    apply_from = serializers.DateField(allow_null=True)
    apply_until = serializers.DateField(allow_null=True)
    enquiry_phone = serializers.CharField(allow_blank=True)


class PublicSchemeVersionSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    version = serializers.IntegerField()
    name = serializers.CharField()
    approved_at = serializers.DateTimeField()


class PublicSchemeSerializer(serializers.Serializer):
    year = serializers.IntegerField(help_text="救助的医疗费用所属年度")
    version = serializers.IntegerField()
    name = serializers.CharField()
    approved_at = serializers.DateTimeField()
    resolution = serializers.CharField(allow_null=True, help_text="批准该方案的理事会决议编号")
    in_force = serializers.BooleanField()
    annual_cap = serializers.CharField(help_text="年度救助限额（元/人）")
    rounding = serializers.ChoiceField(choices=["yuan", "fen"])
    count_extra_costs = serializers.BooleanField()
    notes = serializers.CharField(allow_blank=True)
    rules = PublicSchemeRuleSerializer(many=True)
    example = PublicSchemeExampleSerializer(help_text="示例：个人自付 80,000 元，按方案本身的计算")
    how_to_apply = PublicSchemeHowToApplySerializer()
    versions = PublicSchemeVersionSerializer(many=True, help_text="所有已批准的版本，新的在前")


@method_decorator(cache_control(public=True, max_age=60), name="get")
class SchemeApi(Public, APIView):
    """The assistance scheme in force, as the council approved it, with a worked example and how to apply."""

    @extend_schema(responses={200: PublicSchemeSerializer, 404: OpenApiTypes.OBJECT})
    def get(self, request):
        scheme = scheme_page.scheme_in_force()
        if scheme is None:
            raise NotFound("尚无经理事会批准的救助方案")
        return Response(scheme_page.scheme_document(scheme_page.scheme_shown(scheme)))
