"""The public 公示 pages (/publicity/, and /en/publicity/ in English), included by fundportal/urls.py."""
from django.urls import path, re_path

from . import views

app_name = "publicity"
AREA = r"(?P<code>[0-9]{6,12})"  # a region code: never a page name below
urlpatterns = [
    path("", views.publicity_list, name="list"),
    path("objection/", views.objection_lookup, name="objection_lookup"),
    path("objection/filed/", views.objection_filed, name="objection_filed"),
    path("<int:pk>/", views.publicity_detail, name="detail"),
    path("<int:pk>/lines/<int:line>/objection/", views.objection_new, name="objection_new"),
    re_path(rf"^(?P<pk>[0-9]+)/{AREA}/$", views.publicity_area, name="area"),
    re_path(rf"^(?P<pk>[0-9]+)/{AREA}/notice\.pdf$", views.notice_pdf, name="notice"),
]
