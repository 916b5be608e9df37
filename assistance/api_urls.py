"""The assistance side's API (/api/assistance/): the stages' own routes, included."""
from django.urls import include, path

urlpatterns = [
    path("", include("assistance.intake.api")),
    path("", include("assistance.review.api")),
    path("", include("assistance.applications.api")),
    path("", include("assistance.council.api")),
    path("", include("assistance.payouts.api")),
    path("", include("assistance.publicity.api")),
    path("", include("assistance.appeals.api")),
]
