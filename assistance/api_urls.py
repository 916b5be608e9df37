from django.urls import include, path

from . import staff_api

urlpatterns = [
    path("resolutions/<int:pk>/payout-batch/", staff_api.PayoutBatchCreateApi.as_view(), name="api-payout-batch"),
    path("", include("assistance.intake.api")),
    path("", include("assistance.review.api")),
    path("", include("assistance.applications.api")),
    path("", include("assistance.council.api")),
    path("payouts/", staff_api.PayoutListApi.as_view(), name="api-payouts"),
]
