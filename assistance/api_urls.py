from django.urls import path

from . import api, council_api

urlpatterns = [
    path("review-cases/", api.ReviewCaseListApi.as_view(), name="api-review-cases"),
    path("review-cases/<int:pk>/", api.ReviewCaseDetailApi.as_view(), name="api-review-case"),
    path("review-cases/<int:pk>/<slug:move>/", api.ReviewCaseMoveApi.as_view(), name="api-review-case-move"),
    path("resolutions/", council_api.ResolutionListApi.as_view(), name="api-resolutions"),
    path("resolutions/<int:pk>/", council_api.ResolutionDetailApi.as_view(), name="api-resolution"),
    path("resolutions/<int:pk>/sign/", council_api.ResolutionSignApi.as_view(), name="api-resolution-sign"),
]
