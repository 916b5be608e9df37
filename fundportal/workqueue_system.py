"""The administrators' own queue (fundportal/workqueue.py): long jobs that failed (an import, a
screening run, a statement build, a bank result file) and are not running again — the sign that
something outside the fund's work went wrong (the database, the disk, a worker). One query per kind
of job; the link is the job's admin list filtered to its failed ones."""
from django.db.models import Count, Min
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext

from .jobs import job_models
from .workqueue import QueueItem, administers, as_date


def failed_jobs(user) -> list[QueueItem]:
    if not (user.is_active and user.is_staff and administers(user)):
        return []
    items = []
    for model in job_models():
        failed = model.JOB_STATES.failed
        totals = model._default_manager.filter(state=failed).aggregate(n=Count("pk"), since=Min("touched_at"))
        if not totals["n"]:
            continue
        opts = model._meta
        try:
            url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist") + f"?state__exact={failed}"
        except NoReverseMatch:
            continue
        items.append(QueueItem(key=f"system.failed.{opts.label_lower}", count=totals["n"], url=url,
                               label=gettext("后台任务失败：%(what)s，待查明原因后重新执行") % {
                                   "what": opts.verbose_name_plural},
                               oldest=as_date(totals["since"])))
    return items
