"""Outreach's reads, scoped to the officer who asks: the tasks of their area, the eligible families
due for a task, whether a family has applied. The per-town report is report.py."""
import datetime as dt

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from ..access import sees_all_medical_data
from ..intake.models import InsuredPerson
from ..review.models import ReviewCase
from .models import OutreachContact, OutreachTask


def outreach_tasks_for_user(*, user) -> QuerySet[OutreachTask]:
    """Auditors: every task. Civil-affairs officers: the tasks of their own area (city, town or
    village). Anyone else (the MSB, clerks, finance), or an officer without an area: none."""
    tasks = OutreachTask.objects.select_related("review_case__person", "review_case__category", "region__parent")
    if not user.has_perm("assistance.view_outreachtask"):
        return tasks.none()
    if sees_all_medical_data(user):
        return tasks
    if user.region is None:
        return tasks.none()
    return tasks.filter(region__path__startswith=user.region.path)


def has_applied(*, person_field: str = "person_id", year_field: str = "year") -> Exists:
    """True where the person named by the outer row has an application for the outer row's year,
    whatever its state. Through the registry's reverse relation: outreach comes before the
    applications stage and does not import it."""
    return Exists(InsuredPerson.objects.filter(pk=OuterRef(person_field), applications__year=OuterRef(year_field)))


def application_exists(*, person_id: int, year: int) -> bool:
    return InsuredPerson.objects.filter(pk=person_id, applications__year=year).exists()


def decided_before(day: dt.date) -> dt.datetime:
    """The moment a decision must precede to be OUTREACH_AFTER_DAYS old on `day`: decided on
    day − N (any hour) counts, decided on day − N + 1 does not yet."""
    first_day_too_recent = day - dt.timedelta(days=settings.OUTREACH_AFTER_DAYS - 1)
    return timezone.make_aware(dt.datetime.combine(first_day_too_recent, dt.time.min))


def cases_due_for_outreach(*, day: dt.date) -> QuerySet[ReviewCase]:
    """Eligible cases decided at least OUTREACH_AFTER_DAYS days before `day`, with no task yet and
    no application by the person for that year. The service checks the application again under
    the person's lock."""
    return (ReviewCase.objects.filter(state=ReviewCase.State.ELIGIBLE, determined_at__lt=decided_before(day),
                                      outreach_task__isnull=True)
            .exclude(has_applied()).select_related("person").order_by("id"))


def open_tasks_of_deceased() -> QuerySet[OutreachTask]:
    """Open tasks whose person the registry now records as dead (a later MSB import)."""
    return OutreachTask.objects.filter(state=OutreachTask.State.OPEN, review_case__person__is_deceased=True)


def unreachable_count(task: OutreachTask) -> int:
    return task.contacts.filter(result=OutreachContact.Result.UNREACHABLE).count()


def overdue_q(day: dt.date | None = None) -> Q:
    """Open tasks past their contact deadline on `day` (today)."""
    return Q(state=OutreachTask.State.OPEN, due_on__lt=day or timezone.localdate())
