"""A fund with a few months of history: gifts from an organisation, a person and an anonymous
donor in 2023, and two families paid (one payment returned by the bank)."""
import datetime as dt
from decimal import Decimal

import pytest

from assistance.payouts.services import batch_export, payout_batch_create
from tests.donations.helpers import record
from tests.factories import DonorFactory, IndividualDonorFactory
from tests.payouts.conftest import (finance_a, finance_b, ready_application, scheme, secretary,  # noqa: F401
                                    town)
from tests.payouts.helpers import reconcile

D = Decimal


@pytest.fixture(autouse=True)
def public_root(settings, tmp_path):
    settings.PUBLIC_ROOT = tmp_path / "public"
    return settings.PUBLIC_ROOT


@pytest.fixture
def history(db, finance_a, finance_b, secretary, clerk, town, scheme, django_capture_on_commit_callbacks):
    """Income in May and June 2023, payouts on 2023-06-20, one of them returned on 2023-07-03."""
    from assistance.council.services import resolution_draft_payouts, resolution_sign
    from tests.payouts.conftest import meeting_with_quorum

    hospital = DonorFactory(name="瑞安市人民医院", created_by=finance_a)
    person = IndividualDonorFactory(name="林小芳", created_by=finance_a)
    record(finance_a, amount="60000.00", donor=hospital, received_on=dt.date(2023, 5, 8))
    record(finance_a, amount="500.00", donor=person, received_on=dt.date(2023, 5, 20))
    record(finance_a, amount="20000.00", received_on=dt.date(2023, 6, 2))  # anonymous
    first = ready_application(clerk, town, out_of_pocket="55000")   # 35,000
    second = ready_application(clerk, town, out_of_pocket="35000")  # 21,000
    resolution = resolution_sign(acting_user=secretary, resolution=resolution_draft_payouts(
        meeting=meeting_with_quorum(secretary), scheme=scheme, acting_user=secretary))
    batch = payout_batch_create(resolution=resolution, acting_user=finance_a)
    batch_export(batch=batch, acting_user=finance_a)
    paid = "参考号,金额,结果,交易日期\n" + "".join(f"{p.reference},{p.amount},成功,2023-06-20\n"
                                              for p in batch.payouts.order_by("id"))
    reconcile(batch, paid.encode(), finance_b)
    returned = batch.payouts.get(application=second)
    reconcile(batch, f"参考号,金额,结果,说明,交易日期\n{returned.reference},{returned.amount},退回,账户已销户,2023-07-03\n"
              .encode(), finance_b)
    return {"first": first, "second": second, "hospital": hospital, "person": person}
