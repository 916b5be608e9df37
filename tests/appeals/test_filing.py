"""Asking for a review: only of a decision there is, within APPEAL_WINDOW_DAYS calendar days of
it, one open at a time (also when two arrive at the same moment), with grounds of sensible
length; a clerk needs the permission to record one."""
import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from assistance.appeals.selectors import appeal_refusal
from assistance.appeals.services import appeal_file, appeal_submit_online
from assistance.models import Appeal, Application, ReviewCase
from tests.concurrency import run_concurrently

from .conftest import GROUNDS

pytestmark = pytest.mark.django_db


def decided_days_ago(application: Application, days: int) -> None:
    ReviewCase.objects.filter(pk=application.review_case_id).update(
        determined_at=timezone.now() - dt.timedelta(days=days))
    application.refresh_from_db()


def test_a_review_may_be_asked_for_up_to_the_sixtieth_day_after_the_refusal(refused_app, settings):
    assert settings.APPEAL_WINDOW_DAYS == 60
    decided_days_ago(refused_app, 60)
    assert appeal_refusal(refused_app) is None
    decided_days_ago(refused_app, 61)
    refusal = appeal_refusal(refused_app)
    assert "申请复核的期限已过" in refusal and "60 日内" in refusal
    with pytest.raises(ValidationError, match="申请复核的期限已过"):
        appeal_submit_online(application=refused_app, grounds=GROUNDS)
    assert not Appeal.objects.exists()


def test_an_amount_review_after_the_window_is_refused(approved_apps, clerk, settings):
    first = approved_apps[1]
    later = timezone.localtime() + dt.timedelta(days=settings.APPEAL_WINDOW_DAYS + 1)
    assert appeal_refusal(first, day=later.date()).startswith("申请复核的期限已过：理事会决定于")
    with time_machine.travel(later):
        with pytest.raises(ValidationError, match="申请复核的期限已过"):
            appeal_file(application=first, grounds=GROUNDS, acting_user=clerk)
    assert appeal_refusal(first) is None


def test_nothing_to_review_while_the_case_is_still_being_decided(clerk, approved_apps, refused_app, cab_city_colleague):
    from tests.fixtures.council import ready_application

    ready = ready_application(clerk, approved_apps[1].region, out_of_pocket="30000")
    assert appeal_refusal(ready).startswith("该申请正在办理（待测算救助金额），还没有可申请复核的决定")
    with pytest.raises(ValidationError, match="还没有可申请复核的决定"):
        appeal_file(application=ready, grounds=GROUNDS, acting_user=clerk)


def test_a_second_request_while_one_is_open_is_refused_with_the_first_ones_number(refused_app, clerk):
    first = appeal_file(application=refused_app, grounds=GROUNDS, acting_user=clerk)
    refusal = appeal_refusal(refused_app)
    assert first.number in refusal and "不能重复提出" in refusal
    with pytest.raises(ValidationError, match=f"已有正在办理的复核（编号 {first.number}"):
        appeal_submit_online(application=refused_app, grounds=GROUNDS)
    assert Appeal.objects.count() == 1


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_two_requests_at_the_same_moment_make_one_appeal_and_one_clear_refusal(request):
    refused_app = request.getfixturevalue("refused_app")
    clerk = request.getfixturevalue("clerk")
    results = run_concurrently(
        lambda i: appeal_file(application=refused_app, grounds=GROUNDS, acting_user=clerk) if i == 0
        else appeal_submit_online(application=refused_app, grounds=GROUNDS), 2)
    made = [r for r in results if isinstance(r, Appeal)]
    refused_with = [r for r in results if isinstance(r, ValidationError)]
    assert len(made) == 1 and len(refused_with) == 1, results
    assert "不能重复提出" in refused_with[0].messages[0]
    assert Appeal.objects.filter(application=refused_app).count() == 1


@pytest.mark.parametrize("grounds", ["", "   ", "不服", "理" * 1001])
def test_grounds_must_be_five_to_a_thousand_characters(refused_app, clerk, grounds):
    with pytest.raises(ValidationError) as caught:
        appeal_file(application=refused_app, grounds=grounds, acting_user=clerk)
    assert "复核理由" in str(caught.value)
    assert not Appeal.objects.exists()


def test_grounds_are_kept_as_written_without_surrounding_space(refused_app):
    appeal = appeal_submit_online(application=refused_app, grounds=f"  {'理' * 1000}  ")
    assert appeal.grounds == "理" * 1000


@pytest.mark.parametrize("persona", ["cab_city", "secretary", "finance", "msb", "auditor"])
def test_only_clerks_record_a_request_at_the_counter(request, refused_app, persona):
    with pytest.raises(PermissionDenied, match="没有登记复核申请的权限"):
        appeal_file(application=refused_app, grounds=GROUNDS, acting_user=request.getfixturevalue(persona))
