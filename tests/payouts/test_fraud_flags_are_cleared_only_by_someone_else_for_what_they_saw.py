"""A fraud flag stops a payout until someone other than the person it names clears it, and the
clearing covers only what was seen: the staff member whose account it is cannot clear it, a new
finding after the clearing stops the payout again, and an invoice is matched to a reimbursed
settlement whatever the case of its number."""
import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from assistance.council.services import resolution_draft_payouts, resolution_sign
from assistance.models import ExtraCost, FraudFlag, SettlementRecord
from assistance.payouts.services import batch_export, flag_override, payout_batch_create

from tests.fixtures.council import YEAR, fund, meeting_with_quorum, publicity_end, ready_application
from .helpers import all_paid, mismatches, reconcile

D = Decimal


@pytest.mark.django_db
def test_the_staff_member_whose_account_it_is_cannot_clear_the_flag(signed, finance_a, finance_b):
    from fundportal.models import User

    resolution, first, _second = signed
    acct = first.account_number
    finance_b.bank_account = " ".join(acct[i:i + 4] for i in range(0, len(acct), 4))  # as printed on the card
    finance_b.save()
    finance_b = User.objects.get(pk=finance_b.pk)
    assert finance_b.bank_account == acct  # stored as digits
    payout_batch_create(resolution=resolution, acting_user=finance_a)
    flag = FraudFlag.objects.get(kind="staff_account")
    with pytest.raises(PermissionDenied, match="与您登记的本人账号相同"):
        flag_override(flag=flag, acting_user=finance_b, reason="已核实")


def test_staff_accounts_can_be_recorded_in_the_user_admin():
    from fundportal.admin import UserAdmin

    assert "bank_account" in [field for _name, options in UserAdmin.fieldsets for field in options["fields"]]


@pytest.mark.django_db
def test_a_cleared_flag_does_not_cover_a_new_finding(secretary, clerk, town, scheme, finance_a, finance_b):
    fund("100000", finance_a)
    shared = "6228480099998888777"
    ready_application(clerk, town, out_of_pocket="55000", account=shared)
    ready_application(clerk, town, out_of_pocket="35000", account=shared)
    resolution = resolution_sign(acting_user=secretary, resolution=resolution_draft_payouts(
        meeting=meeting_with_quorum(secretary), scheme=scheme, acting_user=secretary))
    publicity_end(resolution)
    batch = payout_batch_create(resolution=resolution, acting_user=finance_a)
    for flag in FraudFlag.objects.all():
        flag_override(flag=flag, acting_user=finance_b, reason="村委会证明二人同住")
    batch_export(batch=batch, acting_user=finance_a)
    ready_application(clerk, town, out_of_pocket="20000", account=shared)  # a third, unrelated person
    result = reconcile(batch, all_paid(batch), finance_b)
    assert result.paid == 0 and all("同一账号还用于申请" in problem for problem in mismatches(result).values())
    assert FraudFlag.objects.filter(overridden_by__isnull=False).count() == 2  # the cleared ones stay


@pytest.mark.django_db
def test_an_invoice_reimbursed_under_a_lower_case_settlement_number_is_flagged(
        secretary, clerk, town, scheme, finance_a):
    fund("100000", finance_a)
    application = ready_application(clerk, town, out_of_pocket="35000")
    SettlementRecord.objects.create(year=YEAR, settlement_no="js20230001", person=application.person,
                                    settled_on=dt.date(YEAR, 3, 1), institution="瑞安市人民医院",
                                    total_cost=D("9000"), out_of_pocket=D("3000"))
    ExtraCost.objects.create(application=application, institution="瑞安市人民医院", invoice_number="JS20230001",
                             paid_on=dt.date(YEAR, 3, 1), amount=D("3000"))
    resolution = resolution_sign(acting_user=secretary, resolution=resolution_draft_payouts(
        meeting=meeting_with_quorum(secretary), scheme=scheme, acting_user=secretary))
    publicity_end(resolution)
    payout_batch_create(resolution=resolution, acting_user=finance_a)
    assert FraudFlag.objects.get().kind == "reused_invoice"
