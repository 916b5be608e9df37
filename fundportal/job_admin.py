"""The admin side of a long job (fundportal/jobs.py): its progress as JSON, for the bar that
templates/jobs/progress.html draws and static/js/progress.js keeps up to date.

    class StatementAdmin(JobProgressAdmin, HistoryAdmin): ...

adds <pk>/progress/ (URL name "<app>_<model>_progress"). A job this user may not look at is a 404,
like every object page of the site (fundportal.admin_utils.PortalAdminPolicy); the answer is never
kept by a browser or proxy.
"""
from django.contrib.admin.utils import unquote
from django.http import Http404, JsonResponse
from django.urls import path
from django.utils.translation import gettext

from .jobs import job_progress_data
from .responses import no_store


class JobProgressAdmin:
    def get_urls(self):
        opts = self.model._meta
        return [
            path("<path:object_id>/progress/", self.admin_site.admin_view(self.progress_view),
                 name=f"{opts.app_label}_{opts.model_name}_progress"),
        ] + super().get_urls()

    def progress_view(self, request, object_id):
        job = self.get_object(request, unquote(object_id))
        if job is None or not self.has_view_permission(request, job):
            raise Http404(gettext("没有找到该记录"))
        return no_store(JsonResponse(job_progress_data(job)))
