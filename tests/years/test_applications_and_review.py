"""The cost year (费用年度) of an application and of its review at New Year.

Rules (assistance/applications, assistance/review, assistance/importing):
- one open application per person and cost year: a 2022 application does not stop a 2023 one, a
  second 2023 one is refused (service and partial unique constraint);
- application numbers run per cost year (SQ2023xxxxx), each year from 00001;
- one review case per person and cost year: eligibility is decided each year again — neither a
  2022 refusal nor a 2022 "eligible" carries into 2023;
- a cost year may be entered up to the current year — Beijing's year;
- a documented cost (invoice) belongs to the cost year by its date: 31 December in, 1 January out;
- a settlement file is one year's: a visit settled on 1 January is the next year's data.
"""
import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from assistance.applications.services import application_prefill, application_submit
from assistance.models import Application, EligibilityCategory, ReviewCase, SettlementRecord
from assistance.review.services import review_cases_open_for_run, screening_run_share
from tests.assistance.helpers import errors_of, run_import, settlement_row, write_csv
from tests.fixtures.factories import make_resident_id
from tests.fixtures.screening import make_run

from .helpers import at

pytestmark = pytest.mark.django_db
RESIDENT_ID = make_resident_id(8123, birth=dt.date(1957, 8, 9))


def apply(clerk, region, year: int, *, resident_id: str = RESIDENT_ID, name: str = "吴小红", extra_costs=()):
    return application_submit(
        acting_user=clerk, resident_id=resident_id, name=name, region=region, year=year, phone="13812345678",
        account_holder=name, bank_name="瑞安农商银行", account_number="6228480012345673256",
        members=[{"name": name, "relation": "本人"}], extra_costs=list(extra_costs), documents=[])


def test_one_open_application_per_person_and_cost_year_not_per_person(clerk, regions):
    village = regions["hantian"]
    of_2022 = apply(clerk, village, 2022)
    of_2023 = apply(clerk, village, 2023)  # the year before is still open: no matter
    assert (of_2022.person, of_2022.year, of_2023.year) == (of_2023.person, 2022, 2023)
    with pytest.raises(ValidationError, match="2023 年已有该申请人的申请"):
        apply(clerk, village, 2023)
    # The database says the same to any write that skipped the service.
    fields = {f: getattr(of_2023, f) for f in ("person", "region", "phone", "account_holder", "bank_name",
                                               "account_number", "entered_by", "submitted_at", "review_case")}
    with pytest.raises(IntegrityError), transaction.atomic():
        Application.objects.create(number="SQ202399999", year=2023, state=Application.State.UNDER_REVIEW, **fields)
    Application.objects.create(number="SQ202499999", year=2024, state=Application.State.UNDER_REVIEW, **fields)


def test_application_numbers_run_per_cost_year_each_from_one(clerk, regions):
    village = regions["hantian"]
    numbers = [apply(clerk, village, 2022).number,
               apply(clerk, village, 2023).number,
               apply(clerk, village, 2023, resident_id=make_resident_id(8124, birth=dt.date(1960, 2, 3)),
                     name="吴大明").number,
               apply(clerk, village, 2022, resident_id=make_resident_id(8125, birth=dt.date(1961, 3, 4)),
                     name="吴三").number]
    assert numbers == ["SQ202200001", "SQ202300001", "SQ202300002", "SQ202200002"]


def test_a_refusal_for_2022_does_not_refuse_2023_and_2022s_eligibility_does_not_carry(clerk, regions):
    village = regions["hantian"]
    refused = apply(clerk, village, 2022)
    ReviewCase.objects.filter(pk=refused.review_case_id).update(
        state=ReviewCase.State.NOT_ELIGIBLE, decision_reason="家庭人均收入高于标准", determined_at=timezone.now())
    Application.objects.filter(pk=refused.pk).update(state=Application.State.NOT_ELIGIBLE)
    with pytest.raises(ValidationError, match="2022 年已被民政部门认定不符合"):
        apply(clerk, village, 2022, extra_costs=[])  # the same year: refused, with the way to a review
    of_2023 = apply(clerk, village, 2023)
    assert of_2023.state == Application.State.UNDER_REVIEW
    assert of_2023.review_case != refused.review_case and of_2023.review_case.year == 2023

    other = make_resident_id(8126, birth=dt.date(1959, 5, 6))
    eligible = apply(clerk, village, 2022, resident_id=other, name="郑小华")
    ReviewCase.objects.filter(pk=eligible.review_case_id).update(
        state=ReviewCase.State.ELIGIBLE, category=EligibilityCategory.objects.get(name="低保对象"),
        determined_at=timezone.now())
    next_year = apply(clerk, village, 2023, resident_id=other, name="郑小华")
    # Eligible for 2022 is not eligible for 2023: the new year's application goes to civil affairs.
    assert next_year.state == Application.State.UNDER_REVIEW
    assert next_year.review_case.year == 2023
    assert next_year.review_case.state == ReviewCase.State.FIRST_SCREENING


def test_a_shared_run_of_2023_opens_cases_for_people_reviewed_for_2022(msb, regions):
    run_2022 = screening_run_share(run=make_run(msb, [(1, regions["hantian"]), (2, regions["shadu"])], year=2022),
                                   acting_user=msb)
    people = [target.person for target in run_2022.targets.order_by("id")]
    run_2023 = make_run(msb, [(3, regions["hantian"])], year=2023)
    run_2023.targets.create(person=people[0], region=people[0].region, total_cost=Decimal("90000"),
                            fund_paid=Decimal("30000"), out_of_pocket=Decimal("60000"), settlement_count=2,
                            own_share=Decimal("0.6667"))
    screening_run_share(run=run_2023, acting_user=msb)
    assert list(ReviewCase.objects.filter(person=people[0]).order_by("year").values_list("year", flat=True)) == [
        2022, 2023]
    # Sharing the year's run again opens nothing twice (one case per person and year).
    assert review_cases_open_for_run(run=run_2023, acting_user=msb) == 0
    with pytest.raises(IntegrityError), transaction.atomic():
        ReviewCase.objects.create(person=people[1], year=2022, region=regions["shadu"], state_since=timezone.now())


def test_the_cost_year_may_be_the_current_one_from_beijings_first_second_of_it(clerk, regions):
    with at(2023, 12, 31, 23, 59, 59), pytest.raises(ValidationError) as refused:
        apply(clerk, regions["hantian"], 2024)
    assert "费用年度无效" in str(refused.value)
    with at(2024, 1, 1, 0, 0, 1):  # 2023-12-31 16:00:01 UTC
        assert apply(clerk, regions["hantian"], 2024).number == "SQ202400001"


def cost(invoice: str, paid_on: dt.date) -> dict:
    return {"institution": "上海瑞金医院", "invoice_number": invoice, "paid_on": paid_on, "amount": Decimal("8000.00")}


def test_an_invoice_belongs_to_the_cost_year_of_its_date(clerk, regions):
    village = regions["hantian"]
    for paid_on in (dt.date(2022, 12, 31), dt.date(2024, 1, 1)):
        with pytest.raises(ValidationError, match="发票日期不在 2023 年内"):
            apply(clerk, village, 2023, extra_costs=[cost("31000023001", paid_on)])
    application = apply(clerk, village, 2023, extra_costs=[cost("31000023001", dt.date(2023, 1, 1)),
                                                           cost("31000023002", dt.date(2023, 12, 31))])
    assert application.extra_costs.count() == 2


def test_a_settlement_file_holds_its_year_only_and_the_years_figures_stay_apart(tmp_path, msb, regions):
    person = make_resident_id(8200, birth=dt.date(1955, 1, 2))

    def row(number, day, out_of_pocket="1000.00"):
        return settlement_row(number, person, name="冯小军", settled_on=day, basic="1000.00",
                              total=str(Decimal("1000.00") + Decimal(out_of_pocket)), out_of_pocket=out_of_pocket)

    mixed = run_import(write_csv(tmp_path / "2022.csv", [row("A1", "2021-12-31"), row("A2", "2022-01-01"),
                                                         row("A3", "2022-12-31"), row("A4", "2023-01-01")]),
                       msb, year=2022)
    assert {(n, reason) for n, _column, reason in errors_of(mixed)} == {(2, "结算日期不在申报年度 2022 年内"),
                                                                     (5, "结算日期不在申报年度 2022 年内")}
    # The year's own rows are loaded; the visits of the years either side are not the year's data.
    assert sorted(SettlementRecord.objects.values_list("settlement_no", "year")) == [("A2", 2022), ("A3", 2022)]
    run_import(write_csv(tmp_path / "2023.csv", [row("A4", "2023-01-01", "500.00")]), msb, year=2023)
    assert application_prefill(resident_id=person, year=2022).totals["out_of_pocket"] == Decimal("2000.00")
    assert application_prefill(resident_id=person, year=2023).totals["out_of_pocket"] == Decimal("500.00")


def test_a_new_years_day_visit_may_be_imported_from_beijings_first_second(tmp_path, msb, regions):
    person = make_resident_id(8201, birth=dt.date(1956, 2, 3))
    rows = [settlement_row("B1", person, name="冯小兰", settled_on="2024-01-01")]
    with at(2023, 12, 31, 23, 59, 59):  # the 2024 file cannot exist yet
        with pytest.raises(ValidationError, match="年度应在 2015 至 2023 之间"):
            run_import(write_csv(tmp_path / "early.csv", rows), msb, year=2024)
    with at(2024, 1, 1, 0, 0, 1):  # 31 December in UTC: the visit is not "after today"
        job = run_import(write_csv(tmp_path / "2024.csv", rows), msb, year=2024)
    assert errors_of(job) == set()
    assert list(SettlementRecord.objects.values_list("settlement_no", "year", "settled_on")) == [
        ("B1", 2024, dt.date(2024, 1, 1))]
