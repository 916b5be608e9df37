"""The family's view follows its case through every stage's own services: each step shown with
its date as the case moves, the current one marked, what the family must do after a failed or
returned payment, a refusal shown without the bureau's words, an objection during the 公示, a list
cut for budget, an amount reopened by review."""
import pytest
from django.utils import timezone

from assistance.appeals.services import appeal_decide, appeal_submit_online
from assistance.council.services import resolution_draft_payouts, resolution_item_reject, resolution_sign
from assistance.models import Appeal, Payout, PublicityEntry, Resolution
from assistance.progress.selectors import ACCOUNT_NEEDED, progress_of
from assistance.publicity.services import objection_decide, objection_submit_online
from fundportal.roles import Role
from tests.fixtures.council import fund, meeting_with_quorum
from tests.fixtures.personas import make_user

from .helpers import REFUSAL, bank_answers, determine, export, page_text, publicity_end, reissue, send, sign

pytestmark = pytest.mark.django_db
KEYS = ["submitted", "eligibility", "costing", "resolution", "publicity", "payout", "paid"]


def statuses(application) -> dict[str, str]:
    return {step.key: step.status for step in progress_of(application).steps}


def step(application, key):
    return next(s for s in progress_of(application).steps if s.key == key)


def page(client, application) -> str:
    response = client.post("/progress/", {"n": application.number, "c": application.lookup_code})
    assert response.status_code == 200
    return page_text(response)


def test_each_step_is_shown_with_its_date_as_the_case_moves_to_paid(client, people, application, scheme):
    today = timezone.localdate()
    progress = progress_of(application)
    assert [s.key for s in progress.steps] == KEYS and progress.current == "eligibility"
    assert (progress.number, progress.masked_name, progress.amount) == (application.number, "王*明", None)
    assert step(application, "submitted").date == today
    assert "民政部门正在核查认定家庭情况" in page(client, application)

    application = determine(people, application)
    assert progress_of(application).current == "costing"
    assert step(application, "eligibility").date == today and step(application, "eligibility").status == "done"
    assert "待按救助方案测算救助金额" in page(client, application)

    resolution = sign(people, scheme)
    progress = progress_of(application)
    assert progress.current == "publicity" and progress.amount == 35000
    assert step(application, "resolution").note == "理事会决议 2023-第1号：批准救助金 ¥35,000.00"
    publicity = resolution.publicity
    assert step(application, "publicity").note == f"公示中：{publicity.starts_on:%Y-%m-%d} 至 {publicity.ends_on:%Y-%m-%d}"
    text = page(client, application)
    assert 'aria-current="step" data-step="publicity"' in text and "¥35,000.00" in text

    publicity_end(resolution)
    assert progress_of(application).current == "payout"
    assert step(application, "publicity").status == "done"
    assert step(application, "payout").note == "公示期满，等待慈善总会发放"

    batch = send(people, resolution)
    assert statuses(application) == {**dict.fromkeys(KEYS, "done"), "paid": "current"}
    assert step(application, "payout").date == today and "已提交银行，等待到账" in page(client, application)

    bank_answers(people, batch.payouts.get())
    progress = progress_of(application)
    assert statuses(application) == dict.fromkeys(KEYS, "done") and progress.current == "paid"
    assert step(application, "paid").note == "救助金 ¥35,000.00 已到账" and step(application, "paid").date == today
    assert 'aria-current="step" data-step="paid"' in page(client, application)


def test_a_failed_payment_tells_the_family_what_to_bring_and_the_reissue_follows(client, people, application,
                                                                                   scheme):
    determine(people, application)
    resolution = sign(people, scheme)
    publicity_end(resolution)
    payout = send(people, resolution).payouts.get()
    bank_answers(people, payout, "失败", "户名与账号不符 6228480099887766554")
    failed = step(application, "payout")
    assert (failed.status, failed.note, failed.needed) == ("action", "银行支付未成功，救助金未能转入收款账户",
                                                           ACCOUNT_NEEDED)
    assert progress_of(application).current == "payout" and step(application, "paid").status == "todo"
    text = page(client, application)
    assert "请申请人携带本人身份证和银行卡（存折）到红十字会窗口更正收款账户" in text
    assert "户名与账号不符" not in text  # the bank's words stay with staff

    again = reissue(people, payout)
    assert step(application, "payout").note == "已更正收款账户，重新列入发放批次，即将提交银行"
    bank_answers(people, export(people, again))
    assert statuses(application) == dict.fromkeys(KEYS, "done")


def test_money_the_bank_returns_is_shown_as_returned_with_what_to_do(people, application, scheme):
    determine(people, application)
    resolution = sign(people, scheme)
    publicity_end(resolution)
    payout = send(people, resolution).payouts.get()
    bank_answers(people, payout)
    bank_answers(people, payout, "退回", "账户已销户")
    returned = step(application, "paid")
    assert (returned.title, returned.status, returned.needed) == ("退回", "action", ACCOUNT_NEEDED)
    assert progress_of(application).current == "paid"


def test_a_refusal_says_so_without_the_bureaus_words_and_stops_the_later_steps(client, people, application):
    application = determine(people, application, eligible=False)
    refused = step(application, "eligibility")
    assert (refused.status, refused.note) == ("stopped", "民政部门认定不符合低收入家庭条件")
    assert "复核" in refused.needed and refused.date == timezone.localdate()
    assert statuses(application) == {"submitted": "done", "eligibility": "stopped", **dict.fromkeys(KEYS[2:], "todo")}
    text = page(client, application)
    assert "认定不符合" in text and "申请复核" in text
    assert REFUSAL not in text and "十二万" not in text


def test_the_councils_rejection_is_shown_without_its_reason(client, people, application, scheme):
    determine(people, application)
    draft = resolution_draft_payouts(meeting=meeting_with_quorum(people.secretary), scheme=scheme,
                                     acting_user=people.secretary)
    resolution_item_reject(item=draft.items.get(), reason="已获其他渠道救助四万元", acting_user=people.secretary)
    resolution_sign(resolution=draft, acting_user=people.secretary)
    rejected = step(application, "resolution")
    assert (rejected.status, rejected.note) == ("stopped", "理事会决议 2023-第1号：不予救助")
    assert progress_of(application).current == "resolution"
    assert "四万元" not in page(client, application)


@pytest.mark.parametrize("upheld", [True, False])
def test_an_objection_during_the_publicity_is_shown_until_it_is_decided(client, people, application, scheme,
                                                                          upheld):
    determine(people, application)
    resolution = sign(people, scheme)
    entry = PublicityEntry.objects.get(item__application=application)
    objection = objection_submit_online(entry=entry, content="该户家里新买了小汽车，不符合条件", contact="13800000000")
    assert step(application, "publicity").note == "公示期间收到异议，正在核查"
    assert "公示期间收到异议，正在核查" in page(client, application)

    objection_decide(objection=objection, acting_user=people.cab_town, upheld=upheld, reason="经入户核查，情况属实无误")
    publicity_end(resolution)
    publicity = step(application, "publicity")
    if upheld:
        assert (publicity.status, publicity.note) == ("stopped", "公示期间收到异议，异议成立，停止发放")
        assert statuses(application)["payout"] == statuses(application)["paid"] == "todo"
        assert not Payout.objects.filter(application=application).exists()
    else:
        assert publicity.status == "done" and progress_of(application).current == "payout"
    text = page(client, application)
    assert "小汽车" not in text and "13800000000" not in text and "入户核查" not in text


def test_a_list_cut_for_budget_says_the_case_waits_for_the_next_meeting(people, application, scheme):
    determine(people, application)
    fund("30000", people.finance_a)  # less than the family's 35,000: cut, in order
    draft = resolution_draft_payouts(meeting=meeting_with_quorum(people.secretary), scheme=scheme,
                                     acting_user=people.secretary, over_budget=Resolution.OverBudget.IN_ORDER)
    resolution_sign(resolution=draft, acting_user=people.secretary)
    costing = step(application, "costing")
    assert (costing.status, costing.note) == ("current", "理事会决议 2023-第1号：本期预算不足，留待下次理事会审议")
    assert statuses(application)["resolution"] == "todo"


def test_an_amount_reopened_by_review_goes_back_to_costing(client, people, application, scheme):
    determine(people, application)
    sign(people, scheme)
    appeal = appeal_submit_online(application=application, grounds="另有外省住院费用未计入，请求重新测算")
    appeal_decide(appeal=appeal, acting_user=make_user("secretary_b", Role.COUNCIL_SECRETARY), reopen=True,
                  reason="补充费用属实，重新测算")
    assert Appeal.objects.get().state == Appeal.State.REOPENED
    costing = step(application, "costing")
    assert (costing.status, costing.note, costing.date) == ("current", "复核后重新测算，待理事会重新审议",
                                                            timezone.localdate())
    assert [s.status for s in progress_of(application).steps[3:]] == ["todo"] * 4  # the old decision is no more
    assert "¥35,000.00" not in page(client, application)
