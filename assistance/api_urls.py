from django.urls import include, path

from . import council_api, staff_api

urlpatterns = [
    path("resolutions/", council_api.ResolutionListApi.as_view(), name="api-resolutions"),
    path("resolutions/<int:pk>/", council_api.ResolutionDetailApi.as_view(), name="api-resolution"),
    path("resolutions/<int:pk>/sign/", council_api.ResolutionSignApi.as_view(), name="api-resolution-sign"),
    path("resolutions/<int:pk>/payout-batch/", staff_api.PayoutBatchCreateApi.as_view(), name="api-payout-batch"),
    path("", include("assistance.intake.api")),
    path("", include("assistance.review.api")),
    path("", include("assistance.applications.api")),
    path("payouts/", staff_api.PayoutListApi.as_view(), name="api-payouts"),
]
