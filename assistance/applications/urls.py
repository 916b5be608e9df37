"""The Red Cross clerks' workspace pages (namespace "workspace", under /workspace/)."""
from django.urls import path

from . import views

app_name = "workspace"
urlpatterns = [
    path("", views.home, name="home"),
    path("applications/new/", views.application_new, name="new"),
    path("applications/<str:number>/", views.application_detail, name="application"),
    path("applications/<str:number>/slip/", views.application_slip, name="slip"),
    path("applications/<str:number>/notices/", views.application_notice_settings, name="notice_settings"),
    path("documents/<int:pk>/", views.document_download, name="document"),
]
