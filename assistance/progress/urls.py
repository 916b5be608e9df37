"""The family's progress pages (namespace "progress", under /progress/ and /en/progress/)."""
from django.urls import path

from . import views

app_name = "progress"
urlpatterns = [
    path("", views.progress_lookup, name="lookup"),
    path("case/", views.progress_case, name="case"),
    path("review/", views.appeal_submit, name="review"),
    path("notices/", views.notices_choice, name="notices"),
]
