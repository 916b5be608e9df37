"""Eligibility that lapses (资格有效期) and its re-review (到期复审).

A decision "eligible" lasts ELIGIBILITY_VALID_MONTHS from its day (valid_until, written by
review_case_determine). ELIGIBILITY_RECHECK_LEAD_DAYS before that day, a daily job opens one
re-review for the household's village: the next cost year's case, pointing at the decision it
re-checks (`previous`), so the officers see last year's household beside what they find now.
Until a newer decision exists, a family whose eligibility lapsed is not costed (eligibility_lapsed,
asked by the council's drafting and signing).

Exactly once: a partial unique index allows one re-review per decision, and a person has one case
per year; a decision that already has a next-year case (the warning list opened it) needs none.
"""
import datetime as dt

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from fundportal.dates import add_months
from fundportal.models import Region
from fundportal.states import state_create

from .deadlines import due_on
from .models import ReviewCase

State = ReviewCase.State
RECHECK_REASON = "低收入资格将于 {day} 到期，开启到期复审"


def eligibility_valid_until(determined_on: dt.date) -> dt.date:
    return add_months(determined_on, settings.ELIGIBILITY_VALID_MONTHS)


def rechecks_due(*, today: dt.date):
    """Eligible decisions that lapse within the lead time and have no later case of the person."""
    later = ReviewCase.objects.filter(person_id=OuterRef("person_id"), year__gt=OuterRef("year"))
    horizon = today + dt.timedelta(days=settings.ELIGIBILITY_RECHECK_LEAD_DAYS)
    return (ReviewCase.objects.filter(state=State.ELIGIBLE, valid_until__lte=horizon,
                                      person__is_deceased=False, person__moved_away=False)
            .exclude(Exists(later)).order_by("valid_until", "pk"))


def review_rechecks_open(*, today: dt.date | None = None, acting_user=None) -> int:
    """Daily (and idempotent): one re-review per lapsing decision. Returns how many opened."""
    today = today or timezone.localdate()
    opened = 0
    for pk in list(rechecks_due(today=today).values_list("pk", flat=True)):
        if review_recheck_open(case_id=pk, acting_user=acting_user) is not None:
            opened += 1
    return opened


@transaction.atomic
def review_recheck_open(*, case_id: int, acting_user=None) -> ReviewCase | None:
    """The re-review of one decision, at the household's village (its town when the case has no
    village): their officers verify again, the bureau decides again."""
    case = ReviewCase.objects.select_for_update().select_related("region").get(pk=case_id)
    if case.state != State.ELIGIBLE or ReviewCase.objects.filter(person_id=case.person_id, year__gt=case.year).exists():
        return None
    at_village = case.region.level == Region.Level.VILLAGE
    state = State.AT_VILLAGE if at_village else State.AT_TOWN
    try:
        with transaction.atomic():
            return state_create(
                ReviewCase, acting_user=acting_user, reason=RECHECK_REASON.format(day=case.valid_until),
                person_id=case.person_id, year=case.year + 1, region=case.region, source=ReviewCase.Source.RECHECK,
                previous=case, state=state, state_since=timezone.now(), due_on=due_on(state))
    except IntegrityError:
        return None  # opened meanwhile: the unique indexes are the last word on "once"


def eligibility_lapsed(person_ids, *, on: dt.date | None = None) -> dict[int, ReviewCase]:
    """Of these people, those whose latest decision is "eligible" but lapsed on `on` (person →
    that decision). A later decision — eligible again, or not — is what counts."""
    on = on or timezone.localdate()
    latest: dict[int, ReviewCase] = {}
    decided = (ReviewCase.objects.filter(person_id__in=set(person_ids), determined_at__isnull=False,
                                         state__in=[State.ELIGIBLE, State.NOT_ELIGIBLE])
               .only("pk", "person_id", "state", "valid_until", "determined_at", "year").order_by("determined_at", "pk"))
    for case in decided:
        latest[case.person_id] = case
    return {person_id: case for person_id, case in latest.items()
            if case.state == State.ELIGIBLE and case.valid_until is not None and case.valid_until < on}


def lapsed_refusal(number: str, case: ReviewCase) -> str:
    return f"申请 {number} 的申请人低收入资格已于 {case.valid_until:%Y-%m-%d} 到期，须经民政部门复审认定后才能测算"
