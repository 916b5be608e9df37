"""The annual report (年度工作报告及财务会计报告): its figures are the ledger's, it is published by
finance once per year into the statements' hash chain, and it shows no personal data."""
import datetime as dt
import json
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.db.models import Q, Sum
from django.test import Client

from disclosure.annual.content import report_content
from disclosure.annual.services import annual_report_publish
from disclosure.models import Statement
from disclosure.services import chain_problems, statement_correct
from donations.models import Donation, PledgeInstalment
from fundportal.models import FundAccount, LedgerEntry
from tests.disclosure.helpers import publish, verify_command
from tests.disclosure.test_english_pages import chinese_left
from tests.donations.helpers import record
from tests.fixtures.factories import DonorFactory

pytestmark = pytest.mark.django_db
D = Decimal
YEAR = dt.date(2023, 1, 1), dt.date(2023, 12, 31)


def _page(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return (b"".join(response.streaming_content) if response.streaming else response.content).decode()


@pytest.fixture
def report(history, finance_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return annual_report_publish(year=2023, acting_user=finance_a)


def test_the_reports_figures_are_the_ledgers(history, finance_a):
    content = report_content(2023)
    entries = LedgerEntry.objects.filter(booked_on__range=YEAR)
    income = entries.filter(Q(kind="income") | Q(kind="reversal", reverses__kind="income")).aggregate(s=Sum("amount"))
    paid = entries.filter(Q(kind="payout") | Q(kind="reversal", reverses__kind="payout")).aggregate(s=Sum("amount"))
    before = LedgerEntry.objects.filter(booked_on__lt=YEAR[0]).aggregate(s=Sum("amount"))["s"] or D("0")
    finance = content["finance"]
    assert D(finance["income"]["total"]) == income["s"] == D("80500.00")
    assert D(finance["payouts"]["total"]) == -paid["s"] == D("35000.00")  # 56,000 paid, 21,000 returned
    assert D(finance["opening_balance"]) == before
    assert D(finance["closing_balance"]) == before + entries.aggregate(s=Sum("amount"))["s"] \
        == FundAccount.objects.get().balance
    assert finance["administrative_costs"] == "0.00"  # the ledger has no such entry
    assert finance["payouts"]["returned"] == "21000.00" and finance["payouts"]["payments"] == 2
    # Income by donor kind sums to the income; each kind is the sum of its donors' entries.
    by_kind = {row["donor_kind"]: D(row["amount"]) for row in finance["income"]["by_kind"]}
    assert by_kind == {"医院": D("60000.00"), "匿名": D("20000.00"), "个人": D("500.00")}
    assert sum(by_kind.values()) == income["s"]
    assert finance["income"]["gifts"] == Donation.objects.filter(received_on__range=YEAR).count() == 3
    # People assisted: whose money reached them net in the year (the returned one did not).
    work = content["work"]
    assert work["people_assisted"] == 1 and work["payments"] == 2
    assert sum(D(row["amount"]) for row in work["payouts_by_town"]) == -paid["s"]
    assert sum(D(row["amount"]) for row in work["payouts_by_category"]) == -paid["s"]
    assert finance["receipts"] == {"issued": 3, "voided": 0}


def test_one_person_in_a_town_is_counted_in_the_merged_row_never_alone(history):
    rows = report_content(2023)["work"]["payouts_by_town"]
    assert [(row["town"], row["people"]) for row in rows] == [("其他乡镇（合并）", 1)]


def test_instalments_due_in_the_year_show_their_arrears(history, finance_a):
    from donations.services import pledge_create  # noqa: PLC0415 (only here)

    bank = DonorFactory(name="瑞安农商银行", org_kind="bank", created_by=finance_a)
    pledge = pledge_create(donor=bank, total=D("3000000.00"), signed_on=dt.date(2023, 6, 1),
                           instalments=[(dt.date(2023 + n, 6, 30), D("600000.00")) for n in range(5)],
                           acting_user=finance_a)
    first = PledgeInstalment.objects.get(pledge=pledge, sequence=1)
    record(finance_a, amount="400000.00", donor=bank, received_on=dt.date(2023, 7, 5), instalment=first)
    pledges = report_content(2023)["finance"]["pledges"]
    assert pledges["instalments_due"] == [{"donor": "瑞安农商银行", "sequence": 1, "due_on": "2023-06-30",
                                           "amount": "600000.00", "received": "400000.00", "arrears": "200000.00"}]
    assert pledges["arrears"] == "200000.00" and pledges["outstanding"] == "2600000.00"


def test_the_report_is_published_into_the_chain_and_verifies(report, history, finance_a):
    assert (report.kind, report.state, report.title) == ("annual", "published", "2023年度工作报告及财务会计报告")
    assert json.loads(report.document)["content"] == report.content == report_content(2023)
    june = publish("month", dt.date(2023, 6, 1), finance_a)  # the chain goes on after it
    assert june.previous == report and june.previous_sha256 == report.sha256
    assert chain_problems() == []
    assert verify_command()[0]


def test_a_tampered_annual_report_is_detected(report):
    forged = json.loads(json.dumps(report.content))
    forged["finance"]["administrative_costs"] = "5000.00"
    with connection.cursor() as cursor:  # someone with database superuser access, triggers switched off
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute("UPDATE disclosure_statement SET content = %s WHERE id = %s", [json.dumps(forged), report.pk])
        cursor.execute("SET LOCAL session_replication_role = DEFAULT")
    assert chain_problems() == [f"第 {report.sequence} 号《2023年度工作报告及财务会计报告》：公示内容与发布文本不符，内容被改动过"]
    assert not verify_command()[0]


@pytest.mark.parametrize("persona", ["clerk", "msb", "auditor", "secretary", "cab_city"])
def test_only_finance_publishes_the_annual_report(request, persona, history):
    with pytest.raises(PermissionDenied):
        annual_report_publish(year=2023, acting_user=request.getfixturevalue(persona))
    assert not Statement.objects.filter(kind="annual").exists()


def test_publishing_a_year_twice_is_refused_and_never_duplicated(report, finance_a, finance_b):
    for user in (finance_a, finance_b):
        with pytest.raises(ValidationError, match="已于 .* 发布（第 1 号），不能重复发布"):
            annual_report_publish(year=2023, acting_user=user)
    assert Statement.objects.filter(kind="annual").count() == 1


@pytest.mark.parametrize("year, message", [
    (2099, "2099年度尚未结束"),
    (dt.date.today().year, "尚未结束"),
    (2019, "早于基金设立"),
    (2024, "2024年度没有任何收支记录"),
])
def test_a_year_that_cannot_be_reported_is_refused_in_chinese(history, finance_a, year, message):
    with pytest.raises(ValidationError, match=message):
        annual_report_publish(year=year, acting_user=finance_a)
    assert not Statement.objects.filter(kind="annual").exists()


def test_the_public_page_and_pdf_show_no_personal_data(report, history):
    client = Client()
    pages = [_page(client, f"/disclosure/statements/{report.sequence}/"),
             _page(client, f"/en/disclosure/statements/{report.sequence}/"),
             _page(client, f"/disclosure/statements/{report.sequence}/statement.json")]
    assert "2023年度工作报告及财务会计报告" in pages[0] and "管理费用" in pages[0]
    assert "Annual work report and financial report 2023" in pages[1]
    pdf = client.get(f"/disclosure/statements/{report.sequence}/statement.pdf")
    assert pdf.status_code == 200 and b"".join(pdf.streaming_content).startswith(b"%PDF")
    for application in (history["first"], history["second"]):
        person = application.person
        for secret in (person.resident_id, person.name, application.account_number, application.phone,
                       person.name[1:]):
            assert all(secret not in page for page in pages), secret
    assert all(history["person"].name not in page for page in pages)  # the individual donor is masked
    listing = _page(client, "/disclosure/statements/")
    assert f"/disclosure/statements/{report.sequence}/" in listing and "年度报告" in listing
    assert "Annual report" in _page(client, "/en/disclosure/statements/")


def test_a_correction_of_the_annual_report_is_chained_and_linked_from_its_page(report, finance_a,
                                                                              django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        correction = statement_correct(statement=report, notice="管理费用说明补充：本年度无管理费用。",
                                       acting_user=finance_a)
    assert (correction.corrects, correction.previous) == (report, report) and chain_problems() == []
    page = _page(Client(), f"/disclosure/statements/{report.sequence}/")
    assert f"/disclosure/statements/{correction.sequence}/" in page and "本报告已发布更正说明" in page


def test_the_english_page_speaks_english_but_for_published_names(report, history):
    html = _page(Client(), f"/en/disclosure/statements/{report.sequence}/")
    assert chinese_left(html, {"瑞安市人民医院", "林*芳"}) == []


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_two_clicks_at_once_publish_the_year_once(history, finance_a, finance_b):
    from tests.concurrency import run_concurrently

    users = [finance_a, finance_b, finance_a]
    results = run_concurrently(lambda i: annual_report_publish(year=2023, acting_user=users[i]), 3)
    published = [result for result in results if isinstance(result, Statement)]
    refused = [result for result in results if isinstance(result, ValidationError)]
    assert len(published) == 1 and len(refused) == 2, results
    assert all("不能重复发布" in str(error) for error in refused)
    assert Statement.objects.filter(kind="annual").count() == 1 and chain_problems() == []


def test_the_report_names_the_years_statement_it_agrees_with(history, finance_a):
    year = publish("year", dt.date(2023, 1, 1), finance_a)
    report = annual_report_publish(year=2023, acting_user=finance_a)
    assert report.content["year_statement"] == {"sequence": year.sequence, "sha256": year.sha256}
    assert report.content["finance"]["income"]["total"] == year.content["income"]["total"]
    assert report.content["finance"]["closing_balance"] == year.content["closing_balance"]
