"""The work queue in the admin: the page every staff role lands on (/admin/queue/), and the
"我的待办" filter each list of work carries, which shows exactly the rows the queue counted."""
from django.contrib import admin
from django.shortcuts import render
from django.utils.translation import gettext, gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .admin_utils import CheckedListFilter
from .responses import no_store
from .roles import desk_url
from .workqueue import Queue, queue_for

OVERDUE_SUFFIX = ".overdue"


class WorkQueueFilter(CheckedListFilter):
    """?todo=<kind> (or <kind>.overdue): the rows of that kind of work waiting for this user. It
    offers only the kinds the user does; any other value is ignored with a message, as every
    checked filter's is. A list names its queue with work_queue_filter(queue)."""

    title = _("我的待办")
    parameter_name = "todo"
    queue: Queue

    def lookups(self, request, model_admin):
        choices = []
        for kind, _where in self.queue.kinds_for(request.user):
            choices.append((kind.key, kind.label))
            if self.queue.due:
                choices.append((f"{kind.key}{OVERDUE_SUFFIX}", gettext("%(label)s（已逾期）") % {"label": kind.label}))
        return choices

    def queryset(self, request, queryset):
        key = self.cleaned()
        if not key:
            return queryset
        overdue = key.endswith(OVERDUE_SUFFIX)
        return queryset.filter(pk__in=self.queue.matching(request.user, key.removesuffix(OVERDUE_SUFFIX),
                                                          overdue=overdue))


def work_queue_filter(queue: Queue) -> type[WorkQueueFilter]:
    return type("WorkQueueFilter", (WorkQueueFilter,), {"queue": queue, "__module__": __name__})


def _work_queue(request):
    items = queue_for(request.user)
    return no_store(render(request, "admin/work_queue.html", {
        **admin.site.each_context(request), "title": _("我的待办"), "items": items,
        "overdue_total": sum(item.overdue for item in items), "desk": desk_url(request.user)}))


work_queue = admin.site.admin_view(never_cache(require_GET(_work_queue)))
