from django.urls import path

from . import log_views, views

app_name = "disclosure"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("statements/", views.statement_list, name="statements"),
    path("statements/<int:sequence>/", views.statement_page, name="statement"),
    path("statements/<int:sequence>/<str:name>", views.statement_file, name="file"),
    path("verify/", views.verify, name="verify"),
    path("log/checkpoint", log_views.checkpoint, name="log_checkpoint"),
    path("log/entries", log_views.entries, name="log_entries"),
    path("log/proof/<int:index>.tlog-proof", log_views.proof, name="log_proof"),
    path("log/fund_log_verify.py", log_views.verifier, name="log_verifier"),
    path("scheme/", views.scheme, name="scheme"),
    path("scheme/<int:year>/<int:version>/", views.scheme_version, name="scheme_version"),
]
