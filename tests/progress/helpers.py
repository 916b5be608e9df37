"""A family's case moved through the stages' own services, step by step, as the progress tests
and the browser test follow it: submitted at the Red Cross, verified and determined by civil
affairs, costed and approved by the council, posted (公示), paid or failed at the bank.

The family (王小明) has a known full name, ID number, phone and bank account: the crawl tests
look for each of them in every answer."""
import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from assistance.applications.services import application_submit
from assistance.council.services import resolution_draft_payouts, resolution_sign
from assistance.models import Application, EligibilityCategory, Payout, Publicity, Resolution
from assistance.payouts.services import batch_export, payout_batch_create, payout_reissue
from assistance.review import services as review
from tests.fixtures.council import YEAR, fund, meeting_with_quorum
from tests.fixtures.factories import make_resident_id
from tests.payouts.helpers import reconcile, result_csv

NAME = "王小明"
RESIDENT_ID = make_resident_id(4242, birth=dt.date(1958, 3, 14))
PHONE = "13957712345"
ACCOUNT = "6228480099887766554"
NEW_ACCOUNT = "6228480011223344556"
REFUSAL = "家庭年收入十二万元，其子王大伟名下有商品房两套"  # what the bureau wrote: never shown to the page


@dataclass
class People:
    clerk: object
    cab_city: object
    cab_town: object
    cab_village: object
    secretary: object
    finance_a: object
    finance_b: object


def submit(people: People, village, *, out_of_pocket: str = "55000") -> Application:
    """At the Red Cross window: a family the MSB's data never saw, with one documented cost."""
    return application_submit(
        acting_user=people.clerk, resident_id=RESIDENT_ID, name=NAME, region=village, year=YEAR, phone=PHONE,
        account_holder=NAME, bank_name="瑞安农商银行", account_number=ACCOUNT,
        members=[{"name": NAME, "relation": "本人", "resident_id": RESIDENT_ID},
                 {"name": "王大伟", "relation": "儿子"}],
        extra_costs=[{"institution": "上海瑞金医院", "invoice_number": "31000099001", "paid_on": dt.date(YEAR, 5, 3),
                      "amount": Decimal(out_of_pocket)}],
        documents=[])


def determine(people: People, application: Application, *, eligible: bool = True) -> Application:
    """Civil affairs: dispatched, handed to the village, verified, determined."""
    case = review.review_case_dispatch(case=application.review_case, acting_user=people.cab_city)
    case = review.review_case_assign(case=case, acting_user=people.cab_town)
    case = review.review_case_verify(case=case, acting_user=people.cab_village, household_income=Decimal("120000"),
                                     household=[{"name": NAME, "relation": "本人", "resident_id": RESIDENT_ID}],
                                     visited_on=timezone.localdate(), assets="商品房两套", notes="患肺癌")
    if eligible:
        review.review_case_determine(case=case, acting_user=people.cab_city, eligible=True,
                                     category=EligibilityCategory.objects.get(name="低保对象"))
    else:
        review.review_case_determine(case=case, acting_user=people.cab_city, eligible=False, reason=REFUSAL)
    application.refresh_from_db()
    return application


def sign(people: People, scheme) -> Resolution:
    """The council approves every ready application of the year (the fund holds 100,000)."""
    fund("100000", people.finance_a)
    draft = resolution_draft_payouts(meeting=meeting_with_quorum(people.secretary), scheme=scheme,
                                     acting_user=people.secretary)
    return resolution_sign(resolution=draft, acting_user=people.secretary)


def publicity_end(resolution: Resolution) -> None:
    """The 公示 period is over (its dates moved back: the period itself is the publicity tests')."""
    publicity = Publicity.objects.get(resolution=resolution)
    ends_on = timezone.localdate() - dt.timedelta(days=1)
    Publicity.objects.filter(pk=publicity.pk).update(
        ends_on=ends_on, starts_on=ends_on - dt.timedelta(days=publicity.days - 1))


def send(people: People, resolution: Resolution):
    """The Charity Federation makes the batch and exports the bank file."""
    batch = payout_batch_create(resolution=resolution, acting_user=people.finance_a)
    batch_export(batch=batch, acting_user=people.finance_a, file_format="csv")
    return batch


def bank_answers(people: People, payout: Payout, result: str = "成功", message: str = "") -> None:
    """The bank's result file for one payout, imported by a colleague (成功, 失败 or 退回)."""
    payout.refresh_from_db()
    reconcile(payout.batch, result_csv([(payout.reference, f"{payout.amount:.2f}", result, message)]),
              people.finance_b, name=f"回单-{payout.reference}-{result}.csv")


def reissue(people: People, payout: Payout) -> Payout:
    """The family brought its corrected account to the window: paid again (not yet exported)."""
    return payout_reissue(payout=payout, acting_user=people.finance_a, account_holder=NAME, bank_name="瑞安农商银行",
                          account_number=NEW_ACCOUNT)


def export(people: People, payout: Payout) -> Payout:
    batch_export(batch=payout.batch, acting_user=people.finance_a, file_format="csv")
    payout.refresh_from_db()
    return payout


def secrets_of(application: Application) -> set[str]:
    """Every personal value of the case the public must never read, in the forms it is stored in."""
    application.refresh_from_db()
    values = {NAME, "王大伟", RESIDENT_ID, PHONE, ACCOUNT, NEW_ACCOUNT, ACCOUNT[-8:], NEW_ACCOUNT[-8:], REFUSAL,
              "商品房两套", "患肺癌", "120000", "120,000", "55,000", "55000", "上海瑞金医院", "31000099001",
              application.region.name}
    return values | set(application.payouts.values_list("account_number", flat=True))


def page_text(response) -> str:
    """An answer's text without the CSRF token (different on every page)."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())
