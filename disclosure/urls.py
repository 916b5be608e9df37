from django.urls import path

from . import views

app_name = "disclosure"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("statements/", views.statement_list, name="statements"),
    path("statements/<int:sequence>/", views.statement_page, name="statement"),
    path("statements/<int:sequence>/<str:name>", views.statement_file, name="file"),
    path("verify/", views.verify, name="verify"),
    path("scheme/", views.scheme, name="scheme"),
    path("scheme/<int:year>/<int:version>/", views.scheme_version, name="scheme_version"),
]
