"""The assistance side's pages outside the admin: the stages' own routes, included."""
from django.urls import include, path

urlpatterns = [
    path("", include("assistance.applications.urls")),
    path("appeals/", include("assistance.appeals.urls")),
]
