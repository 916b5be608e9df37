"""A family refused by civil affairs (认定不符合) asks for a review: someone other than the officer
who refused decides it; reopened, the case goes back to the village for verification and the
application under review, and the next determination moves them as any other."""
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from assistance.appeals.selectors import appeal_refusal
from assistance.appeals.services import appeal_decide, appeal_file, appeal_submit_online
from assistance.models import Appeal, Application, ReviewCase, StateDeadline
from assistance.review import services as review
from fundportal.dates import add_working_days

from .conftest import GROUNDS, low_income, verify

pytestmark = pytest.mark.django_db


def test_refused_reviewed_reopened_verified_again_and_found_eligible(refused_app, clerk, cab_city, cab_city_colleague,
                                                                     cab_village, settings):
    assert appeal_refusal(refused_app) is None
    appeal = appeal_file(application=refused_app, grounds=GROUNDS, acting_user=clerk)
    assert (appeal.kind, appeal.state, appeal.channel) == (Appeal.Kind.ELIGIBILITY, Appeal.State.RECEIVED,
                                                           Appeal.Channel.CLERK)
    assert appeal.review_case == refused_app.review_case and appeal.item is None
    assert appeal.region == refused_app.review_case.region and appeal.recorded_by == clerk
    assert appeal.number == f"FH{appeal.filed_on.year}00001"
    assert appeal.due_on == add_working_days(appeal.filed_on, settings.APPEAL_WORKING_DAYS)

    appeal = appeal_decide(appeal=appeal, acting_user=cab_city_colleague, reopen=True,
                           reason="家庭成员新增重大疾病支出，撤销原认定，重新入户核查")
    assert (appeal.state, appeal.decided_by, appeal.decided_at is not None) == (
        Appeal.State.REOPENED, cab_city_colleague, True)
    case = ReviewCase.objects.get(pk=refused_app.review_case_id)
    limit = StateDeadline.objects.get(state=ReviewCase.State.RETURNED).working_days
    assert case.state == ReviewCase.State.RETURNED  # back to the village, with a deadline like any return
    assert case.due_on == add_working_days(timezone.localdate(case.state_since), limit)  # Beijing's day
    assert appeal.number in case.return_reason
    assert case.history.first().history_user == cab_city_colleague
    refused_app.refresh_from_db()
    assert refused_app.state == Application.State.UNDER_REVIEW
    assert refused_app.history.first().history_change_reason.startswith(f"复核 {appeal.number}")

    case = verify(case, cab_village)
    review.review_case_determine(case=case, acting_user=cab_city, eligible=True, category=low_income())
    refused_app.refresh_from_db()
    assert refused_app.state == Application.State.READY  # to costing, as any eligible applicant
    assert appeal_refusal(refused_app).startswith("该申请正在办理")


def test_upheld_changes_nothing_but_the_appeal(refused_app, cab_city_colleague):
    appeal = appeal_submit_online(application=refused_app, grounds=GROUNDS)
    assert (appeal.channel, appeal.recorded_by) == (Appeal.Channel.ONLINE, None)
    appeal = appeal_decide(appeal=appeal, acting_user=cab_city_colleague, reopen=False,
                           reason="经复核，家庭人均收入确高于标准，维持原认定")
    assert appeal.state == Appeal.State.UPHELD and appeal.decision_reason.startswith("经复核")
    refused_app.refresh_from_db()
    assert refused_app.state == Application.State.NOT_ELIGIBLE
    assert refused_app.review_case.state == ReviewCase.State.NOT_ELIGIBLE
    # One review per decision: the same refusal cannot be appealed again.
    assert "只能申请一次复核" in appeal_refusal(refused_app)
    with pytest.raises(ValidationError, match="只能申请一次复核"):
        appeal_submit_online(application=refused_app, grounds=GROUNDS)


def test_the_officer_who_refused_cannot_decide_its_review(refused_app, cab_city):
    appeal = appeal_submit_online(application=refused_app, grounds=GROUNDS)
    with pytest.raises(PermissionDenied, match="原决定（资格认定）由您作出"):
        appeal_decide(appeal=appeal, acting_user=cab_city, reopen=True, reason="撤销原认定重新核查")
    appeal.refresh_from_db()
    assert appeal.state == Appeal.State.RECEIVED


@pytest.mark.parametrize("persona", ["clerk", "secretary_b", "msb", "finance", "cab_town", "cab_village", "auditor"])
def test_only_the_city_bureau_decides_an_eligibility_review(request, refused_app, persona):
    appeal = appeal_submit_online(application=refused_app, grounds=GROUNDS)
    with pytest.raises(PermissionDenied, match="没有办理对低收入资格认定申请复核的权限"):
        appeal_decide(appeal=appeal, acting_user=request.getfixturevalue(persona), reopen=True,
                      reason="撤销原认定重新核查")
    assert ReviewCase.objects.get(pk=refused_app.review_case_id).state == ReviewCase.State.NOT_ELIGIBLE


def test_a_bureau_officer_of_another_area_cannot_decide(refused_app, regions):
    from fundportal.roles import Role
    from tests.fixtures.personas import make_user

    elsewhere = make_user("cab_xincheng_bureau", Role.CAB_CITY, region=regions["xincheng"])
    appeal = appeal_submit_online(application=refused_app, grounds=GROUNDS)
    with pytest.raises(PermissionDenied, match="不在您的服务区域内"):
        appeal_decide(appeal=appeal, acting_user=elsewhere, reopen=True, reason="撤销原认定重新核查")


def test_a_decided_appeal_is_not_decided_again(refused_app, cab_city_colleague):
    appeal = appeal_submit_online(application=refused_app, grounds=GROUNDS)
    appeal_decide(appeal=appeal, acting_user=cab_city_colleague, reopen=False, reason="维持原认定，理由充分")
    with pytest.raises(ValidationError, match="当前状态为“维持原决定”"):
        appeal_decide(appeal=appeal, acting_user=cab_city_colleague, reopen=True, reason="改为撤销原认定")


@pytest.mark.parametrize("reason", ["", "   ", "太短", "理" * 1001])
def test_a_decision_needs_a_reason_of_sensible_length(refused_app, cab_city_colleague, reason):
    appeal = appeal_submit_online(application=refused_app, grounds=GROUNDS)
    with pytest.raises(ValidationError) as caught:
        appeal_decide(appeal=appeal, acting_user=cab_city_colleague, reopen=True, reason=reason)
    assert "复核结论及理由" in str(caught.value)
    assert Appeal.objects.get(pk=appeal.pk).state == Appeal.State.RECEIVED
    assert ReviewCase.objects.get(pk=refused_app.review_case_id).state == ReviewCase.State.NOT_ELIGIBLE
