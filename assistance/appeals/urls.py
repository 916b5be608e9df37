"""The clerk's 复核 pages in the workspace (namespace "workspace_appeals", under /workspace/appeals/)."""
from django.urls import path

from . import views

app_name = "workspace_appeals"
urlpatterns = [
    path("new/", views.appeal_new, name="new"),
    path("<str:number>/", views.appeal_slip, name="slip"),
]
