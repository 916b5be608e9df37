from django.urls import path

from . import api

urlpatterns = [
    path("statements/", api.StatementListApi.as_view(), name="api-statements"),
    path("statements/<str:sequence>/", api.StatementDetailApi.as_view(), name="api-statement"),
    path("fund/", api.FundApi.as_view(), name="api-fund"),
    path("scheme/", api.SchemeApi.as_view(), name="api-scheme"),
]
