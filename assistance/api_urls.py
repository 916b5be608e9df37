from django.urls import path

from . import api

urlpatterns = [
    path("review-cases/", api.ReviewCaseListApi.as_view(), name="api-review-cases"),
    path("review-cases/<int:pk>/", api.ReviewCaseDetailApi.as_view(), name="api-review-case"),
    path("review-cases/<int:pk>/<slug:move>/", api.ReviewCaseMoveApi.as_view(), name="api-review-case-move"),
]
