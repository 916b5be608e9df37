from django.urls import path

from . import workspace

app_name = "workspace"
urlpatterns = [
    path("", workspace.home, name="home"),
    path("applications/new/", workspace.application_new, name="new"),
    path("applications/<str:number>/", workspace.application_detail, name="application"),
    path("applications/<str:number>/slip/", workspace.application_slip, name="slip"),
    path("documents/<int:pk>/", workspace.document_download, name="document"),
]
