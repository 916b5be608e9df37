"""The council: quorum, drafts costed by the scheme and fitted to the budget, signing, and a
signed resolution that nothing can change."""
import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, connection, transaction

from assistance.council.services import (meeting_update, resolution_draft_payouts, resolution_draft_scheme,
                                         resolution_item_reject, resolution_item_restore, resolution_recompute,
                                         resolution_sign)
from assistance.council.selectors import budget_now, granted_this_year, quorum_for
from assistance.models import Application, QuorumRule, Resolution, ResolutionItem, Scheme
from assistance.council.schemes import scheme_new_version
from fundportal.roles import Role

from tests.fixtures.council import YEAR, fund, meeting_with_quorum, ready_application

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.mark.parametrize("share, strictly_more, present, met", [
    (D("0.5"), True, 2, False), (D("0.5"), True, 3, True),  # a majority of five is three
    (D("0.6"), False, 3, True), (D("0.6"), False, 2, False),  # at least 60 %: three of five
    (D("0.8"), True, 4, False), (D("0.8"), True, 5, True),
])
def test_the_quorum_rule_is_configurable(secretary, share, strictly_more, present, met):
    QuorumRule.objects.update(share=share, strictly_more=strictly_more)
    assert quorum_for(meeting_with_quorum(secretary, present=present)).met is met


def test_without_a_quorum_nothing_is_signed(secretary, clerk, town, scheme, finance_a):
    fund("100000", finance_a)
    application = ready_application(clerk, town, out_of_pocket="55000")
    draft = resolution_draft_payouts(meeting=meeting_with_quorum(secretary, present=2), scheme=scheme,
                                     acting_user=secretary)
    with pytest.raises(ValidationError, match="不足法定人数"):
        resolution_sign(resolution=draft, acting_user=secretary)
    draft.refresh_from_db()
    application.refresh_from_db()
    assert (draft.signed_at, application.state) == (None, Application.State.READY)


def test_a_signed_payouts_resolution_is_numbered_and_decides_its_applications(signed, secretary):
    resolution, first, second = signed
    assert resolution.number == f"{YEAR}-第1号"
    items = {item.application_id: item for item in resolution.items.all()}
    assert (items[first.pk].amount, items[second.pk].amount) == (D("35000.00"), D("21000.00"))
    assert items[first.pk].breakdown["eligible_cost"] == "55000.00" and items[first.pk].breakdown["bands"]
    assert (resolution.requested, resolution.approved, resolution.available) == (D("56000"), D("56000"), D("100000"))
    assert "出席 3 家" in resolution.quorum
    for application in (first, second):
        application.refresh_from_db()
        assert application.state == Application.State.APPROVED
        assert application.history.first().history_change_reason == f"理事会决议 {YEAR}-第1号：批准"
    # What is approved and not yet paid is held back from the next batch.
    assert budget_now().available == D("44000.00")


def test_a_scheme_resolution_approves_the_scheme(secretary, scheme):
    draft_scheme = scheme_new_version(scheme=scheme, acting_user=secretary)
    resolution = resolution_draft_scheme(meeting=meeting_with_quorum(secretary), scheme=draft_scheme,
                                         acting_user=secretary)
    with pytest.raises(ValidationError, match="尚未经理事会批准"):
        resolution_draft_payouts(meeting=resolution.meeting, scheme=draft_scheme, acting_user=secretary)
    resolution_sign(resolution=resolution, acting_user=secretary)
    assert Scheme.objects.get(pk=draft_scheme.pk).is_approved


def test_over_budget_pro_rata_uses_exactly_the_available_balance(secretary, clerk, town, scheme, finance_a):
    fund("10000.01", finance_a)
    apps = [ready_application(clerk, town, out_of_pocket=cost) for cost in ("55000", "35000", "6000.03")]
    draft = resolution_draft_payouts(meeting=meeting_with_quorum(secretary), scheme=scheme, acting_user=secretary)
    amounts = [draft.items.get(application=a).amount for a in apps]
    assert sum(amounts) == D("10000.01")
    assert all(item.amount <= item.computed for item in draft.items.all())
    assert amounts[0] > amounts[1] > amounts[2] > 0
    signed = resolution_sign(resolution=draft, acting_user=secretary)
    assert (signed.requested, signed.approved) == (D("56700.00"), D("10000.01"))  # 35,000 + 21,000 + 700


def test_over_budget_in_order_approves_whole_amounts_then_defers(secretary, clerk, town, scheme, finance_a):
    fund("40000", finance_a)
    first = ready_application(clerk, town, out_of_pocket="35000")   # 21,000
    second = ready_application(clerk, town, out_of_pocket="35000")  # 21,000: does not fit in the 19,000 left
    third = ready_application(clerk, town, out_of_pocket="6000")    # 700: would fit, but waits its turn
    draft = resolution_draft_payouts(meeting=meeting_with_quorum(secretary), scheme=scheme, acting_user=secretary,
                                     over_budget=Resolution.OverBudget.IN_ORDER)
    decisions = {i.application_id: (i.decision, i.amount) for i in draft.items.all()}
    assert decisions == {first.pk: ("approve", D("21000.00")), second.pk: ("defer", D("0.00")),
                         third.pk: ("defer", D("0.00"))}
    resolution_sign(resolution=draft, acting_user=secretary)
    second.refresh_from_db()
    assert second.state == Application.State.READY  # in the next batch


def test_a_zero_amount_is_rejected_with_the_reason_and_the_council_can_reject_with_its_own(
        secretary, clerk, town, scheme, finance_a):
    fund("100000", finance_a)
    below = ready_application(clerk, town, out_of_pocket="4000")
    other = ready_application(clerk, town, out_of_pocket="55000")
    draft = resolution_draft_payouts(meeting=meeting_with_quorum(secretary), scheme=scheme, acting_user=secretary)
    assert draft.items.get(application=below).reason == "按救助方案测算，救助金额为 0 元"
    item = draft.items.get(application=other)
    with pytest.raises(ValidationError, match="须写明理由"):
        resolution_item_reject(item=item, reason=" ", acting_user=secretary)
    resolution_item_reject(item=item, reason="家庭另有大额商业保险赔付", acting_user=secretary)
    resolution_recompute(resolution=draft, acting_user=secretary)  # the council's rejection survives
    item = draft.items.get(application=other)
    assert (item.decision, item.reason, item.by_council) == ("reject", "家庭另有大额商业保险赔付", True)
    resolution_item_restore(item=item, acting_user=secretary)
    assert draft.items.get(application=other).amount == D("35000.00")
    resolution_item_reject(item=draft.items.get(application=other), reason="重复申请", acting_user=secretary)
    resolution_sign(resolution=draft, acting_user=secretary)
    other.refresh_from_db()
    assert other.state == Application.State.REJECTED


def test_other_assistance_is_deducted(secretary, clerk, town, scheme, finance_a):
    fund("100000", finance_a)
    application = ready_application(clerk, town, out_of_pocket="55000", other_assistance="10000")
    draft = resolution_draft_payouts(meeting=meeting_with_quorum(secretary), scheme=scheme, acting_user=secretary)
    assert draft.items.get(application=application).amount == D("28000.00")  # (45,000 − 5,000) × 70 %


def test_signing_refuses_a_draft_whose_figures_moved_and_a_recompute_fixes_it(
        secretary, clerk, town, scheme, finance_a):
    fund("30000", finance_a)
    ready_application(clerk, town, out_of_pocket="55000")
    meeting = meeting_with_quorum(secretary)
    stale = resolution_draft_payouts(meeting=meeting, scheme=scheme, acting_user=secretary)
    assert stale.items.get().amount == D("30000.00")
    fund("20000", finance_a)  # more money arrived after the draft was shown
    with pytest.raises(ValidationError, match="草案为批准 30,000.00 元，现为批准 35,000.00 元"):
        resolution_sign(resolution=stale, acting_user=secretary)
    resolution_recompute(resolution=stale, acting_user=secretary)
    assert resolution_sign(resolution=stale, acting_user=secretary).approved == D("35000.00")


def test_two_resolutions_that_together_breach_a_persons_annual_cap_the_second_is_refused(
        secretary, clerk, town, scheme, finance_a):
    fund("20000", finance_a)
    first = ready_application(clerk, town, out_of_pocket="55000")  # 35,000, but only 20,000 available
    meeting = meeting_with_quorum(secretary)
    r1 = resolution_sign(resolution=resolution_draft_payouts(meeting=meeting, scheme=scheme, acting_user=secretary),
                         acting_user=secretary)
    assert r1.approved == D("20000.00")
    fund("100000", finance_a)
    # New costs later in the year: a second application, costed net of the 20,000 granted.
    later = ready_application(clerk, town, out_of_pocket="80000", person=first.person)
    r2 = resolution_draft_payouts(meeting=meeting, scheme=scheme, acting_user=secretary)
    assert r2.items.get(application=later).amount == D("30000.00")  # cap 50,000 − 20,000
    # Meanwhile an amendment raises the first grant to the full 35,000 and is signed first.
    r3 = resolution_draft_payouts(meeting=meeting, scheme=scheme, acting_user=secretary, amends=r1)
    assert r3.items.get(application=first).amount == D("35000.00")
    resolution_sign(resolution=r3, acting_user=secretary)
    with pytest.raises(ValidationError, match="两批合计超出年度救助限额 50,000.00 元"):
        resolution_sign(resolution=r2, acting_user=secretary)
    assert granted_this_year(person_id=first.person_id, year=YEAR) == D("35000.00")
    resolution_recompute(resolution=r2, acting_user=secretary)
    assert resolution_sign(resolution=r2, acting_user=secretary).approved == D("15000.00")
    assert granted_this_year(person_id=first.person_id, year=YEAR) == D("50000.00")


def test_a_signed_resolution_cannot_be_changed_through_the_services(signed, secretary):
    resolution, first, _second = signed
    item = resolution.items.first()
    for attempt in (lambda: resolution_recompute(resolution=resolution, acting_user=secretary),
                    lambda: resolution_item_reject(item=item, reason="改变主意", acting_user=secretary),
                    lambda: resolution_sign(resolution=resolution, acting_user=secretary)):
        with pytest.raises(ValidationError, match="已签署，不能修改"):
            attempt()
    with pytest.raises(ValidationError, match="已有签署的决议"):
        meeting_update(meeting=resolution.meeting, acting_user=secretary, title="改名")


@pytest.mark.parametrize("statement", [
    "UPDATE assistance_resolution SET approved = 1 WHERE id = %(resolution)s",
    "DELETE FROM assistance_resolution WHERE id = %(resolution)s",
    "UPDATE assistance_resolutionitem SET amount = 1 WHERE id = %(item)s",
    "DELETE FROM assistance_resolutionitem WHERE id = %(item)s",
    "INSERT INTO assistance_resolutionitem (resolution_id, application_id, decision, reason, computed, amount, "
    "breakdown, by_council) VALUES (%(resolution)s, %(application)s, 'approve', '', 9, 9, '{}', false)",
])
def test_a_signed_resolution_cannot_be_changed_even_by_raw_sql(signed, statement):
    resolution, _first, _second = signed
    item = resolution.items.first()
    other = Application.objects.exclude(resolution_items__resolution=resolution).first() or item.application
    with pytest.raises(DatabaseError, match="signed resolutions are immutable"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(statement % {"resolution": resolution.pk, "item": item.pk, "application": other.pk})
    assert ResolutionItem.objects.get(pk=item.pk).amount == item.amount


def test_a_signed_resolution_cannot_be_changed_through_the_orm(signed):
    resolution, _first, _second = signed
    resolution.title = "改过的标题"
    with pytest.raises(DatabaseError), transaction.atomic():
        resolution.save()
    with pytest.raises(DatabaseError), transaction.atomic():
        Resolution.objects.filter(pk=resolution.pk).update(approved=D("1"))
    assert Resolution.objects.get(pk=resolution.pk).title != "改过的标题"


def test_nobody_signs_a_decision_on_a_case_they_entered(secretary, town, scheme, finance_a):
    fund("100000", finance_a)
    secretary.groups.add(Group.objects.get(name=Role.REDCROSS_CLERK))
    ready_application(secretary, town, out_of_pocket="55000")
    draft = resolution_draft_payouts(meeting=meeting_with_quorum(secretary), scheme=scheme, acting_user=secretary)
    with pytest.raises(PermissionDenied, match="录入、批准和支付须由不同的人"):
        resolution_sign(resolution=draft, acting_user=secretary)


@pytest.mark.parametrize("persona", ["finance", "clerk", "msb", "auditor"])
def test_only_the_secretary_drafts_and_signs(request, persona, secretary, clerk, town, scheme):
    user = request.getfixturevalue(persona)
    ready_application(clerk, town, out_of_pocket="55000")
    meeting = meeting_with_quorum(secretary)
    with pytest.raises(PermissionDenied):
        resolution_draft_payouts(meeting=meeting, scheme=scheme, acting_user=user)
    draft = resolution_draft_payouts(meeting=meeting, scheme=scheme, acting_user=secretary)
    with pytest.raises(PermissionDenied):
        resolution_sign(resolution=draft, acting_user=user)


def test_an_application_is_in_one_draft_at_a_time(secretary, clerk, town, scheme):
    ready_application(clerk, town, out_of_pocket="55000")
    meeting = meeting_with_quorum(secretary)
    resolution_draft_payouts(meeting=meeting, scheme=scheme, acting_user=secretary)
    with pytest.raises(ValidationError, match="没有可列入决议的申请"):
        resolution_draft_payouts(meeting=meeting, scheme=scheme, acting_user=secretary)


def test_meeting_attendance_is_checked(secretary):
    from assistance.council.services import meeting_record
    from assistance.models import CouncilMember

    member = CouncilMember.objects.first()
    with pytest.raises(ValidationError) as caught:
        meeting_record(acting_user=secretary, held_on=dt.date(YEAR, 6, 1), title="理事会", agenda="议程",
                       attendance=[(member, "张三"), (member, "李四")])
    assert "重复登记" in str(caught.value)
    with pytest.raises(ValidationError, match="出席代表"):
        meeting_record(acting_user=secretary, held_on=dt.date(YEAR, 6, 1), title="理事会", agenda="议程",
                       attendance=[(member, " ")])


@pytest.mark.django_db(transaction=True)
def test_two_drafts_signed_at_once_never_promise_more_than_the_fund_has(secretary, clerk, town, scheme,
                                                                         finance_a):
    from tests.concurrency import run_concurrently

    fund("40000", finance_a)
    meeting = meeting_with_quorum(secretary)
    ready_application(clerk, town, out_of_pocket="55000")  # 35,000
    first = resolution_draft_payouts(meeting=meeting, scheme=scheme, acting_user=secretary)
    ready_application(clerk, town, out_of_pocket="35000")  # 21,000: both fit alone, not together
    second = resolution_draft_payouts(meeting=meeting, scheme=scheme, acting_user=secretary)
    drafts = [first, second]
    results = run_concurrently(lambda i: resolution_sign(resolution=drafts[i], acting_user=secretary), 2)
    assert sorted(type(r).__name__ for r in results) == ["Resolution", "ValidationError"]
    assert Resolution.objects.filter(signed_at__isnull=False).count() == 1
    assert budget_now().available >= 0
