"""A state's time limit is 1 to 365 working days, whichever page edits it, and a deadline is
always a date: a limit of 99,999,999 days made every dispatch fail with OverflowError, which
stopped the whole review."""
import pytest
from django.urls import reverse
from django.utils import timezone

from assistance.review import services as review
from assistance.models import ReviewCase, StateDeadline
from fundportal.dates import add_working_days

pytestmark = pytest.mark.django_db
State = ReviewCase.State


@pytest.mark.parametrize("days", ["99999999", "366", "0", "-1"])
def test_a_time_limit_outside_one_to_365_working_days_is_refused_on_its_page(client, cab_city, days):
    limit = StateDeadline.objects.get(state=State.AT_TOWN)
    before = limit.working_days
    client.force_login(cab_city)
    response = client.post(reverse("admin:assistance_statedeadline_change", args=[limit.pk]),
                           {"state": limit.state, "working_days": days})
    assert response.status_code == 200 and response.context["adminform"].form.errors["working_days"]
    limit.refresh_from_db()
    assert limit.working_days == before


def test_a_time_limit_outside_the_bound_is_refused_in_the_lists_inline_editing(client, cab_city):
    limits = list(StateDeadline.objects.order_by("id"))
    data = {"form-TOTAL_FORMS": len(limits), "form-INITIAL_FORMS": len(limits), "form-MIN_NUM_FORMS": 0,
            "form-MAX_NUM_FORMS": 1000, "_save": "保存"}
    for index, limit in enumerate(limits):
        data[f"form-{index}-id"] = limit.pk
        data[f"form-{index}-working_days"] = 366 if limit.state == State.AT_TOWN else limit.working_days
    client.force_login(cab_city)
    response = client.post(reverse("admin:assistance_statedeadline_changelist"), data)
    assert response.status_code == 200  # the list again, with the row's error
    errors = [form.errors for form in response.context["cl"].formset.forms if form.errors]
    assert len(errors) == 1 and "working_days" in errors[0]
    assert StateDeadline.objects.get(state=State.AT_TOWN).working_days < 366


def test_a_time_limit_inside_the_bound_is_saved(client, cab_city):
    limit = StateDeadline.objects.get(state=State.AT_TOWN)
    client.force_login(cab_city)
    response = client.post(reverse("admin:assistance_statedeadline_change", args=[limit.pk]),
                           {"state": limit.state, "working_days": "365"})
    assert response.status_code == 302
    limit.refresh_from_db()
    assert limit.working_days == 365


def test_a_deadline_is_always_a_date_within_the_bound_whatever_limit_is_stored(shared_run, cab_city):
    # Written around the admin (or before the bound existed): the largest the column holds.
    StateDeadline.objects.filter(state=State.AT_TOWN).update(working_days=32767)
    case = ReviewCase.objects.filter(region__name="韩田村").order_by("id").first()
    case = review.review_case_dispatch(case=case, acting_user=cab_city)
    assert case.due_on == add_working_days(timezone.localdate(), StateDeadline.MAX_WORKING_DAYS)
