"""`manage.py load_demo`: the demo is the seed fund's first two years (2023 and 2024), loaded through
the real services. The second year's own story is checked at the end of this module."""
import datetime as dt
import tempfile
from decimal import Decimal
from io import StringIO

import pytest
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.db import transaction
from django.db import models
from django.db.models import Count, Max, Min, Sum
from django.utils import timezone
from django.test import Client

from demo.donations import (
    BANK_NAME, MEDICAL_INSTITUTION_COUNT, MEDICAL_INSTITUTION_TOTAL, medical_institution_donations,
    medical_institution_donors,
)
from demo.regions import CITY_CODE, TOWNS
from demo.users import DEMO_USERS
from donations.models import Campaign, Donation, Donor, Pledge, PledgeInstalment, Receipt
from donations.selectors import income_total, pledge_progress
from fundportal.identifiers import validate_resident_id, validate_uscc
from fundportal.models import LedgerEntry, Region, User
from fundportal.services import fund_account_main

pytestmark = [pytest.mark.django_db, pytest.mark.slow]  # the whole demo story is loaded once, in seconds


def load_demo() -> str:
    out = StringIO()
    # The demo is for the embedded default, which runs with DEBUG; its scans go to a scratch folder.
    with tempfile.TemporaryDirectory() as media, override_settings(DEBUG=True, MEDIA_ROOT=media):
        call_command("load_demo", stdout=out)
    return out.getvalue()


def test_the_demo_refuses_to_load_into_production(db):
    with override_settings(DEBUG=False), pytest.raises(CommandError, match="生产环境"):
        call_command("load_demo", stdout=StringIO())
    assert not User.objects.exists()


def logs_in(username: str, password: str) -> bool:
    """Through the admin's login form, so django-axes sees a real request (Client.login passes none)."""
    client = Client()
    client.post("/admin/login/", {"username": username, "password": password, "next": "/admin/"})
    return client.session.get("_auth_user_id") == str(User.objects.get(username=username).pk)


@pytest.fixture(scope="module")
def demo_output(django_db_setup, django_db_blocker):
    """Load once for the module (it takes seconds); each test runs in a savepoint inside this."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield load_demo()
        transaction.set_rollback(True)


def test_regions_are_the_city_its_towns_and_their_villages(demo_output):
    city = Region.objects.get(code=CITY_CODE)
    assert (city.name, city.level, city.parent) == ("瑞安市", Region.Level.CITY, None)
    towns = Region.objects.filter(parent=city)
    assert towns.count() == len(TOWNS)
    assert set(towns.values_list("level", flat=True)) == {Region.Level.TOWN}
    for town in towns.annotate(n=Count("children")):
        assert 3 <= town.n <= 6, town.name
        for village in town.children.all():
            assert village.level == Region.Level.VILLAGE
            assert len(village.code) == 12 and village.code[:9] == town.code[:9]
            assert town.contains(village) and city.contains(village)
    assert Region.objects.get(name="韩田村").parent.name == "塘下镇"


def test_167_medical_institutions_gave_the_chosen_total(demo_output):
    assert medical_institution_donors().count() == MEDICAL_INSTITUTION_COUNT == 167
    assert medical_institution_donations().count() == 167  # each gave once in the appeal
    assert medical_institution_donations().aggregate(s=Sum("amount"))["s"] == MEDICAL_INSTITUTION_TOTAL
    assert MEDICAL_INSTITUTION_TOTAL == Decimal("855300.00")

    hospital = Donation.objects.get(donor__name="瑞安市人民医院")
    assert (hospital.amount, hospital.giver_count) == (Decimal("311000.00"), 3126)
    centre = Donation.objects.get(donor__org_kind=Donor.OrgKind.HEALTH_CENTRE, amount=Decimal("22000"))
    assert centre.giver_count > 200
    assert Donation.objects.get(donor__name="瑞安市医药行业协会").amount == Decimal("84500.00")
    owner = Donation.objects.get(donor__kind=Donor.Kind.INDIVIDUAL, campaign__name="医疗机构慈善募捐倡议")
    assert (owner.amount, owner.channel) == (Decimal("5000.00"), Donation.Channel.CASH)
    one_day = Donation.objects.get(campaign__name="慈善一日捐")
    assert (one_day.donor.name, one_day.amount, one_day.giver_count) == ("瑞安市医疗保障局", Decimal("17800.00"), 86)

    others = medical_institution_donations().exclude(
        donor__name__in=["瑞安市人民医院", "瑞安市医药行业协会", owner.donor.name, centre.donor.name])
    assert others.count() == 163
    for amount in others.values_list("amount", flat=True):
        assert Decimal(500) <= amount <= Decimal(10000) and amount % 100 == 0


def test_donor_codes_are_valid_and_unique(demo_output):
    organisations = Donor.objects.filter(kind=Donor.Kind.ORGANISATION)
    for donor in organisations:
        assert validate_uscc(donor.uscc) == donor.uscc and donor.org_kind
    assert organisations.values("uscc").distinct().count() == organisations.count()
    for resident_id in Donor.objects.exclude(resident_id="").values_list("resident_id", flat=True):
        validate_resident_id(resident_id)
    traceable = Donation.objects.filter(channel__in=[Donation.Channel.BANK_TRANSFER, Donation.Channel.ONLINE])
    assert not traceable.filter(bank_reference="").exists()
    assert not Donation.objects.filter(channel=Donation.Channel.CASH).exclude(bank_reference="").exists()
    anonymous = Donation.objects.filter(donor=None)
    assert anonymous.count() >= 1 and all(d.is_anonymous for d in anonymous)
    assert not Donation.objects.filter(received_on__year__lt=2023).exists()
    # After the 2023 appeal, only 2024's: the MSB staff's 一日捐 and the bank's second instalment.
    assert set(Donation.objects.filter(received_on__gt=dt.date(2023, 8, 31)).values_list("received_on", flat=True)) == {
        dt.date(2024, 6, 21), dt.date(2024, 7, 2)}


def test_bank_pledge_is_five_yearly_instalments_with_the_first_two_received(demo_output):
    pledge = Pledge.objects.get(donor__name=BANK_NAME)
    assert pledge.total == Decimal("3000000.00")
    instalments = list(pledge.instalments.order_by("sequence"))
    assert [i.amount for i in instalments] == [Decimal("600000.00")] * 5
    assert [i.due_on for i in instalments] == [dt.date(year, 7, 1) for year in range(2023, 2028)]

    before_second = pledge_progress(pledge=pledge, today=dt.date(2024, 6, 30))
    assert [i.received for i in before_second.instalments[:3]] == [Decimal("600000.00")] * 2 + [Decimal("0.00")]
    assert before_second.received == Decimal("1200000.00") and before_second.outstanding == Decimal("1800000.00")
    assert before_second.arrears == Decimal("0.00")
    # the second came on 2024-07-02, a day after it fell due; the third is in arrears after 2025-07-01
    after_second = pledge_progress(pledge=pledge, today=dt.date(2024, 7, 2))
    assert (after_second.received, after_second.arrears) == (Decimal("1200000.00"), Decimal("0.00"))
    assert pledge_progress(pledge=pledge, today=dt.date(2025, 7, 2)).arrears == Decimal("600000.00")
    for sequence in (1, 2):
        assert PledgeInstalment.objects.get(pledge=pledge, sequence=sequence).donations.get().bank_reference


def test_fund_balance_is_donations_minus_payouts(demo_output):
    from assistance.models import Payout

    received = Donation.objects.filter(status=Donation.Status.RECEIVED)
    total = received.aggregate(s=Sum("amount"))["s"]
    assert total == income_total() == Decimal("1479200.00") + Decimal("18600.00") + Decimal("600000.00")
    paid = Payout.objects.filter(state=Payout.State.PAID).aggregate(s=Sum("amount"))["s"]
    assert paid > 0 and fund_account_main().balance == total - paid
    assert -LedgerEntry.objects.filter(kind=LedgerEntry.Kind.PAYOUT).aggregate(s=Sum("amount"))["s"] == paid
    assert LedgerEntry.objects.filter(kind=LedgerEntry.Kind.INCOME).count() == received.count()
    # every gift got one valid receipt
    assert Receipt.objects.filter(status=Receipt.Status.VALID).count() == received.count()
    assert not received.annotate(n=Count("receipts")).exclude(n=1).exists()
    assert "2,097,800.00" in demo_output


def test_every_role_has_a_user_who_can_log_in_with_the_printed_password(demo_output):
    # Finance and the civil-affairs bureau have two each: duties split (prepare/confirm, decide/review).
    assert len({spec.role for spec in DEMO_USERS}) == 9 and len(DEMO_USERS) == 11
    for spec in DEMO_USERS:
        user = User.objects.get(username=spec.username)
        assert user.groups.filter(pk=Group.objects.get(name=spec.role).pk).exists()
        assert user.is_staff and user.is_active and user.first_name
        assert spec.password in demo_output and len(spec.password) >= 10
        validate_password(spec.password, user)  # the demo passwords meet the site's own policy
        assert logs_in(spec.username, spec.password), spec.username
    assert not logs_in("finance", "demo-finance-2024")
    assert User.objects.get(username="admin").is_superuser
    assert not User.objects.filter(is_superuser=True).exclude(username="admin").exists()
    assert User.objects.get(username="cab_city").region.level == Region.Level.CITY
    town = User.objects.get(username="cab_town").region
    village = User.objects.get(username="cab_village").region
    assert town.name == "塘下镇" and village.parent == town
    for url in ("http://127.0.0.1:8000/admin/", "http://127.0.0.1:8000/receipts/verify/"):
        assert url in demo_output


def test_the_printed_sample_receipt_verifies_on_the_public_page(demo_output):
    receipt = Receipt.objects.get(donation__donor__name="瑞安市人民医院")
    assert receipt.number in demo_output and receipt.verification_code in demo_output
    response = Client().get("/receipts/verify/", {"n": receipt.number, "c": receipt.verification_code})
    assert response.status_code == 200
    assert "瑞安市人民医院" in response.content.decode()


def test_loading_twice_changes_nothing(demo_output):
    models = [Region, User, Group, Donor, Campaign, Pledge, PledgeInstalment, Donation, Receipt, LedgerEntry]
    before = {model.__name__: model.objects.count() for model in models}
    balance = fund_account_main().balance

    again = load_demo()

    assert {model.__name__: model.objects.count() for model in models} == before
    assert fund_account_main().balance == balance
    assert "跳过" in again
    for spec in DEMO_USERS:  # the table is printed again
        assert spec.username in again and spec.password in again


def test_review_cases_are_in_every_state_across_several_towns(demo_output):
    from assistance.models import ReviewCase
    from assistance.review.selectors import review_cases_for_user

    cases = ReviewCase.objects.select_related("region", "region__parent")
    assert set(cases.values_list("state", flat=True)) == set(ReviewCase.State.values)
    towns = {case.region if case.region.level == Region.Level.TOWN else case.region.parent for case in cases}
    assert len(towns) >= 5
    decided = cases.filter(state__in=[ReviewCase.State.ELIGIBLE, ReviewCase.State.NOT_ELIGIBLE])
    assert all(case.verified_by != case.determined_by for case in decided)  # separation of duties held
    assert review_cases_for_user(user=User.objects.get(username="cab_town")).exists()
    assert "民政审核：监测初筛" in demo_output


def test_applications_are_in_several_states_with_their_scans(demo_output):
    from assistance.models import Application

    states = set(Application.objects.values_list("state", flat=True))
    assert {Application.State.UNDER_REVIEW, Application.State.READY, Application.State.APPROVED,
            Application.State.PAID} <= states
    # One was found not eligible, then reopened by its review (复核): the refusal stays in its history.
    assert Application.history.filter(state=Application.State.NOT_ELIGIBLE).exists()
    assert all(application.documents.count() == 2 for application in Application.objects.all())
    assert Application.objects.filter(review_case__source="application").exists()  # not on the warning list
    assert "救助申请：" in demo_output


def test_the_council_signed_and_a_paid_batch_has_a_failed_and_reissued_payout(demo_output):
    from assistance.models import Meeting, Payout, PayoutBatch, Resolution

    meeting = Meeting.objects.get(held_on__year=2023)
    assert meeting.attendance.count() == 4
    assert list(Resolution.objects.order_by("year", "sequence").values_list("kind", "year", "sequence")) == [
        ("scheme", 2023, 1), ("payouts", 2023, 2), ("scheme", 2024, 1), ("payouts", 2024, 2)]
    failed = Payout.objects.get(state=Payout.State.FAILED)
    assert failed.bank_message == "户名与账号不符"
    reissue = failed.reissued_as
    assert reissue.state == Payout.State.PAID and reissue.amount == failed.amount
    assert reissue.account_number != failed.account_number
    assert set(PayoutBatch.objects.values_list("state", flat=True)) == {PayoutBatch.State.SETTLED}
    batch_people = {p.application_id for p in Payout.objects.filter(application__year=2022)}
    for payout in Payout.objects.select_related("batch__resolution", "application"):
        people = {payout.application.entered_by_id, payout.batch.resolution.signed_by_id,
                  payout.batch.prepared_by_id, payout.settled_by_id}
        assert len(people - {None}) == (4 if payout.settled_by_id else 3)  # four hands per paid case
    assert len(batch_people) == 2 and "救助金已发放 2 笔" in demo_output


def test_the_lists_publicity_ran_its_seven_days_before_the_batch_with_one_objection_upheld(demo_output):
    import datetime as dt

    from assistance.models import Objection, Payout, Publicity
    from assistance.publicity.selectors import item_hold_reason

    publicity = Publicity.objects.get(starts_on__year=2023)
    assert (publicity.starts_on, publicity.ends_on) == (dt.date(2023, 9, 15), dt.date(2023, 9, 21))
    batches = Payout.objects.filter(item__resolution=publicity.resolution).values_list("batch__prepared_at", flat=True)
    assert min(batches).date() > publicity.ends_on  # paid only after the 公示
    dismissed, upheld = Objection.objects.order_by("number")
    assert (dismissed.state, upheld.state) == (Objection.State.DISMISSED, Objection.State.UPHELD)
    assert dismissed.channel == Objection.Channel.ONLINE and upheld.recorded_by.username == "clerk"
    assert dismissed.entry.item.payouts.filter(state=Payout.State.PAID).exists()
    assert not upheld.entry.item.payouts.exists() and item_hold_reason(upheld.entry.item) == "公示异议成立，停止发放"
    deciders = {dismissed.decided_by.username, upheld.decided_by.username}
    assert "cab_city" not in deciders  # who determined the eligibility never decides an objection to it
    assert "异议 YY202300001 异议不成立；异议 YY202300002 异议成立" in demo_output


def test_a_familys_review_of_its_refusal_reopened_its_case_for_the_village(demo_output):
    from assistance.models import Appeal, Application, ReviewCase

    appeal = Appeal.objects.get()
    assert (appeal.kind, appeal.state) == (Appeal.Kind.ELIGIBILITY, Appeal.State.REOPENED)
    assert appeal.decided_by.username == "cab_review" != appeal.review_case.determined_by.username
    assert appeal.review_case.state == ReviewCase.State.RETURNED  # waiting for cab_village to visit again
    assert appeal.review_case.region == User.objects.get(username="cab_village").region
    assert appeal.application.state == Application.State.UNDER_REVIEW
    assert f"复核：{appeal.number} 撤销原决定，重新办理" in demo_output


def test_eligible_families_that_never_applied_became_outreach_tasks_one_waiting_for_the_demo_village(demo_output):
    from assistance.models import OutreachTask
    from fundportal.workqueue import queue_for

    tasks = OutreachTask.objects.select_related("review_case__person")
    assert {task.outcome for task in tasks if task.state == "closed"} >= {"applied", "declined", "unreachable"}
    assert all(task.review_case.person.applications.exists() == (task.outcome == "applied") for task in tasks)
    village = User.objects.get(username="cab_village")
    waiting = tasks.get(region=village.region)
    assert waiting.state == "open" and timezone.localtime(waiting.opened_at).date() == dt.date(2023, 9, 15)
    assert [item.count for item in queue_for(village) if item.key == "outreach.contact"] == [1]
    assert "应助未助：已提出申请 1 件" in demo_output


def test_the_printed_application_and_code_show_a_case_paid_on_progress(demo_output):
    from assistance.models import Application

    application = Application.objects.get(state=Application.State.PAID, number=demo_output.split("申请编号 ")[1][:11])
    assert f"查询码 {application.lookup_code}" in demo_output
    page = Client().get(f"/progress/?n={application.number}&c={application.lookup_code}", follow=True)
    assert page.status_code == 200 and "到账" in page.content.decode()


def test_the_families_and_the_bank_have_their_sms_notices_on_their_cases(demo_output):
    from assistance.models import Application
    from demo.review import NO_NOTICES_INDEX, OPTED_OUT_INDEX
    from fundportal.notices.models import Notice
    from fundportal.notices.selectors import notices_for

    paid = Application.objects.get(number=demo_output.split("申请编号 ")[1][:11])
    told = list(notices_for(paid).order_by("id"))
    assert {"family_received", "family_approved", "family_publicity", "family_paid"} <= {n.template for n in told}
    assert {n.state for n in told} <= set(Notice.State.values) and all(n.phone == paid.phone for n in told)
    applications = list(Application.objects.order_by("submitted_at", "id"))
    silent, opted_out = applications[NO_NOTICES_INDEX - 1], applications[OPTED_OUT_INDEX - 1]
    assert not silent.notice_consent and not notices_for(silent).exists()
    assert opted_out.notice_opted_out_at is not None
    assert [n.template for n in notices_for(opted_out)] == ["family_received"]  # before it opted out
    assert Notice.objects.filter(template="family_payment_failed").count() == 1  # the re-issued payout's
    assert Notice.objects.filter(template="donor_receipt", audience=Notice.Audience.DONOR).count() == 2  # the bank's two
    clerk = Client()
    clerk.force_login(User.objects.get(username="clerk"))
    page = clerk.get(f"/workspace/applications/{paid.number}/").content.decode()
    assert "family_paid" in page and paid.phone not in page


def test_the_demo_publishes_its_2023_statements_in_one_intact_chain(demo_output):
    from disclosure.models import Statement
    from disclosure.services import chain_problems

    published = Statement.objects.filter(state=Statement.State.PUBLISHED)
    assert published.filter(period_end__year=2023).count() == 12 and chain_problems() == []
    year = published.get(kind=Statement.Kind.YEAR, period_end__year=2023)
    from assistance.models import Payout

    paid = Payout.objects.filter(state=Payout.State.PAID, application__year=2022).aggregate(s=Sum("amount"))["s"]
    assert year.content["payouts"]["total"] == f"{paid:.2f}" and year.content["income"]["total"] == "1479200.00"
    assert year.content["closing_balance"] == f"{Decimal('1479200.00') - paid:.2f}"
    assert "信息公开：已发布 2023 年收支公示 11 份" in demo_output
    report = published.get(kind=Statement.Kind.ANNUAL, period_end__year=2023)  # after the year statement, agreeing
    assert report.content["year_statement"]["sequence"] == year.sequence == report.sequence - 1
    assert report.content["finance"]["closing_balance"] == year.content["closing_balance"]
    assert "信息公开：已发布《2023年度工作报告及财务会计报告》（第 12 号）" in demo_output


def test_the_overview_draws_the_2023_funnel_and_the_scheme_page_lists_the_documents(demo_output):
    """The 2023 year statement tells how 2022's costs were handled (screened in July 2023, the
    scheme approved in September); the overview draws it. The scheme page is the approved scheme."""
    from assistance.models import WarningTarget
    from demo.council import HOW_TO_APPLY
    from disclosure.models import Statement

    year = Statement.objects.get(kind=Statement.Kind.YEAR, state=Statement.State.PUBLISHED, period_end__year=2023)
    section = year.content["funnel"]
    screened = WarningTarget.objects.filter(run__year=2022, run__state="done").values("person").distinct().count()
    assert year.content["format"] == 3 and section["cost_year"] == 2022
    assert section["total"]["counts"]["screened"] == screened > 0
    overview = Client().get("/disclosure/")
    page = (b"".join(overview.streaming_content) if overview.streaming else overview.content).decode()
    latest = Statement.objects.get(kind=Statement.Kind.YEAR, state=Statement.State.PUBLISHED, period_end__year=2024)
    assert latest.content["funnel"]["cost_year"] == 2023  # the overview draws the latest year's
    assert 'id="funnel"' in page and "2024年救助工作进度（2023年度医疗费用）" in page
    assert f"/disclosure/statements/{latest.sequence}/#funnel" in page
    scheme = Client().get("/disclosure/scheme/").content.decode()
    assert "申请材料（一次告知）" in scheme and HOW_TO_APPLY["enquiry_phone"] in scheme
    assert all(f"<li>{document}</li>" in scheme for document in HOW_TO_APPLY["documents"].splitlines())
    assert "各乡镇（街道）红十字会受理点" in scheme and "2024-04-01 — 2024-12-31" in scheme  # the scheme in force
    assert "2023-08-01 — 2023-12-31" in Client().get("/disclosure/scheme/2022/1/").content.decode()


def _publicity_and_progress_urls() -> list[str]:
    """The 公示 (list, each 公示, each of its towns and villages, in both languages, the notices and the
    API) and a family's progress page (by the slip's link, the page and the API)."""
    from assistance.models import Application, Publicity, PublicityEntry

    urls = ["/publicity/", "/en/publicity/", "/api/public/publicity/", "/progress/", "/en/progress/"]
    for publicity in Publicity.objects.all():
        urls += [f"/publicity/{publicity.pk}/", f"/en/publicity/{publicity.pk}/",
                 f"/api/public/publicity/{publicity.pk}/entries/"]
        villages = PublicityEntry.objects.filter(publicity=publicity).values_list("region__code", "region__parent__code")
        for code in {code for pair in villages for code in pair}:
            urls += [f"/publicity/{publicity.pk}/{code}/", f"/en/publicity/{publicity.pk}/{code}/",
                     f"/publicity/{publicity.pk}/{code}/notice.pdf"]
    for application in Application.objects.all():
        urls.append(f"/progress/?n={application.number}&c={application.lookup_code}")
    return urls


def _crawl(client) -> dict[str, str]:
    """Every public page, CSV, JSON document, PDF and public API answer of the demo, by URL."""
    from disclosure.models import Statement
    from donations.models import Receipt

    urls = ["/", "/disclosure/", "/disclosure/statements/", "/disclosure/verify/", "/en/disclosure/",
            "/en/disclosure/statements/", "/receipts/verify/", "/api/public/statements/?limit=200", "/api/public/fund/",
            "/api/schema/", "/disclosure/statements/9999/", "/this-page-does-not-exist/",
            "/disclosure/scheme/", "/en/disclosure/scheme/", "/api/public/scheme/"]
    for sequence in Statement.objects.filter(state="published").values_list("sequence", flat=True):
        urls += [f"/disclosure/statements/{sequence}/", f"/en/disclosure/statements/{sequence}/",
                 f"/api/public/statements/{sequence}/"]
        urls += [f"/disclosure/statements/{sequence}/{name}" for name in
                 ("statement.json", "income.csv", "payouts.csv", "pledges.csv", "funnel.csv")]
    receipt = Receipt.objects.get(donation__donor__name="瑞安市人民医院")
    urls.append(f"/receipts/verify/?n={receipt.number}&c={receipt.verification_code}")
    urls += _publicity_and_progress_urls()
    pages = {}
    for url in urls:
        response = client.get(url, follow=True)
        assert response.status_code in (200, 404), (url, response.status_code)
        content = b"".join(response.streaming_content) if response.streaming else response.content
        pages[url] = _pdf_text(content) if url.endswith(".pdf") else content.decode("utf-8", errors="replace")
    from django.test import RequestFactory
    from django.views.defaults import server_error

    pages["500"] = server_error(RequestFactory().get("/")).content.decode()
    pdf = client.get(f"/receipts/verify/receipt.pdf?n={receipt.number}&c={receipt.verification_code}")
    if pdf.status_code == 200:
        pages["receipt.pdf"] = _pdf_text(pdf.content)
    return pages


def _pdf_text(content: bytes) -> str:
    from io import BytesIO

    from pypdf import PdfReader

    return "".join(page.extract_text() for page in PdfReader(BytesIO(content)).pages)


def test_no_public_page_file_or_answer_carries_personal_data(demo_output, tmp_path, settings):
    from assistance.models import Application, InsuredPerson, Payout

    settings.PUBLIC_ROOT = tmp_path  # written again from the database, as after a lost folder
    pages = _crawl(Client())
    assert len(pages) > 100 and "2023年度收支公示" in pages["/disclosure/statements/"]
    assert "到账" in pages[next(url for url in pages if url.startswith("/progress/?n=SQ202200001"))]
    secrets = set(InsuredPerson.objects.values_list("resident_id", flat=True))
    for application in Application.objects.select_related("person"):
        secrets |= {application.person.name, application.phone, application.account_number}
        secrets |= {member.resident_id for member in application.members.all() if member.resident_id}
    secrets |= set(Payout.objects.values_list("account_number", flat=True))
    secrets |= set(User.objects.exclude(bank_account="").values_list("bank_account", flat=True))
    from assistance.models import Objection

    for objection in Objection.objects.all():  # what the objector wrote and the visit found stay inside
        secrets |= {objection.content, objection.investigation, objection.objector_name, objection.contact}
    secrets.discard("")
    found = [(url, secret) for url, text in pages.items() for secret in secrets if secret in text]
    assert found == []


# --- the story's calendar: every event on its own date, none after the story ends ---------------

def _dated_fields():
    """Every date and time column of the portal's own tables (history tables included)."""
    from django.apps import apps

    for model in apps.get_models():
        if model._meta.app_label in ("fundportal", "donations", "assistance", "disclosure"):
            for field in model._meta.concrete_fields:
                if isinstance(field, models.DateField):  # DateTimeField is one too
                    yield model, field


# Dates that are plans, not events: the bank's later instalments fall due in 2024–2027.
PLANNED = {("PledgeInstalment", "due_on"), ("HistoricalPledgeInstalment", "due_on"),
           # and an eligibility decided in 2024 lasts into 2025 (ELIGIBILITY_VALID_MONTHS)
           ("ReviewCase", "valid_until"), ("HistoricalReviewCase", "valid_until")}
# Written by `migrate` when the portal is installed (the assistance stages' defaults.py, the roles of
# fundportal/roles.py), before any demo.
INSTALLED = {"HistoricalStateDeadline", "HistoricalQuorumRule", "HistoricalGroup"}


def test_no_demo_record_is_dated_after_the_story_ends(demo_output):
    from demo.story import FUND_SET_UP, STORY_END

    late, early, checked = [], [], 0
    for model, field in _dated_fields():
        if (model.__name__, field.name) in PLANNED or model.__name__ in INSTALLED:
            continue
        values = model.objects.exclude(**{f"{field.name}__isnull": True}).aggregate(
            first=Min(field.name), last=Max(field.name))
        if values["last"] is None:
            continue
        checked += 1
        last, first = values["last"], values["first"]
        if isinstance(field, models.DateTimeField):
            last, first = timezone.localtime(last).date(), timezone.localtime(first).date()
            if first < FUND_SET_UP:  # a thing done (stamped by the clock) before the fund existed
                early.append(f"{model.__name__}.{field.name} {first}")
        if last > STORY_END:
            late.append(f"{model.__name__}.{field.name} {last}")
    assert checked > 40 and late == [] and early == []
    assert PledgeInstalment.objects.filter(due_on__gt=STORY_END).count() == 3  # the plan, not an event


def test_each_receipt_is_numbered_and_dated_in_the_year_and_on_the_day_its_gift_arrived(demo_output):
    receipts = list(Receipt.objects.select_related("donation"))
    assert len(receipts) == Donation.objects.count()
    for receipt in receipts:
        issued_on = timezone.localtime(receipt.issued_at).date()
        assert issued_on == receipt.donation.received_on and receipt.year == issued_on.year
        assert receipt.number.startswith(f"{issued_on.year}-")
    for year in (2023, 2024):  # numbered in the order they were issued, from 1 again each year
        issued = sorted((r for r in receipts if r.year == year), key=lambda r: (r.issued_at, r.sequence))
        assert [r.sequence for r in issued] == list(range(1, len(issued) + 1)) and issued
    assert "收据编号 2023-" in demo_output


def test_receipt_and_certificate_pdfs_carry_the_day_of_issue(demo_output):
    from io import BytesIO

    from pypdf import PdfReader

    from donations.pdf import certificate_pdf, receipt_pdf

    receipt = Receipt.objects.get(donation__donor__name="瑞安市人民医院")
    for pdf in (receipt_pdf(receipt, copy=False), certificate_pdf(receipt)):
        text = "".join(page.extract_text() for page in PdfReader(BytesIO(pdf)).pages).replace(" ", "")
        assert "2023年07月10日" in text and "2026" not in text


def test_the_resolutions_are_numbered_and_signed_in_their_year_at_the_meeting(demo_output):
    from assistance.models import Meeting, Resolution

    assert list(Meeting.objects.order_by("held_on").values_list("held_on", flat=True)) == [
        dt.date(2023, 9, 15), dt.date(2024, 9, 13)]
    for resolution in Resolution.objects.select_related("meeting"):
        signed_on = timezone.localtime(resolution.signed_at).date()
        assert resolution.year == signed_on.year and signed_on == resolution.meeting.held_on


def test_money_is_recorded_on_the_day_it_moved(demo_output):
    for entry in LedgerEntry.objects.all():
        assert timezone.localtime(entry.created_at).date() == entry.booked_on, entry
    payouts = LedgerEntry.objects.filter(kind=LedgerEntry.Kind.PAYOUT)
    assert set(payouts.values_list("booked_on", flat=True)) == {dt.date(2023, 9, 27), dt.date(2023, 10, 12),
                                                                dt.date(2024, 9, 25)}


def test_statements_are_published_after_their_period_in_the_order_of_the_chain(demo_output):
    from disclosure.models import Statement

    published = list(Statement.objects.filter(state=Statement.State.PUBLISHED).order_by("sequence"))
    days = [timezone.localtime(s.published_at).date() for s in published]
    assert days == sorted(days)
    assert all(day > statement.period_end for day, statement in zip(days, published))
    assert all(statement.period_end >= dt.date(2023, 6, 1) for statement in published)  # not before the fund


def test_the_history_tells_the_story_in_order(demo_output):
    from assistance.models import ReviewCase

    case = ReviewCase.objects.filter(state=ReviewCase.State.ELIGIBLE, source=ReviewCase.Source.WARNING).first()
    days = [timezone.localtime(row.history_date).date() for row in case.history.order_by("history_date")]
    assert days[0] == dt.date(2023, 7, 18) and days[-1] == dt.date(2023, 8, 4) and len(set(days)) >= 4
    assert case.visited_on == timezone.localtime(case.verified_at).date() == dt.date(2023, 7, 31)
    assert timezone.localtime(case.determined_at).date() == dt.date(2023, 8, 4)


def test_the_story_clock_refuses_a_day_after_the_story_ends():
    from demo.story import STORY_END, on

    with pytest.raises(ValueError, match="after the story"):
        with on(STORY_END + dt.timedelta(days=1)):
            pass
    with on(STORY_END):
        assert timezone.localdate() == STORY_END
    assert timezone.localdate() > STORY_END  # the real clock again


# --- the second year (2024): monthly files, follow-ups, re-reviews, deaths and moves, the council ---

def test_2023s_settlements_came_as_monthly_files_and_the_corrected_march_replaced_its_month(demo_output):
    from assistance.models import SettlementImport, SettlementRecord
    from demo.medical2023 import RESENT_MONTH, RESENT_ON

    jobs = list(SettlementImport.objects.filter(year=2023).order_by("pk"))
    assert [job.month for job in jobs] == [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, RESENT_MONTH]
    assert {job.state for job in jobs} == {SettlementImport.State.DONE}
    resent, first_march = jobs[-1], jobs[2]
    assert timezone.localtime(resent.created_at).date() == RESENT_ON
    march = SettlementRecord.objects.filter(year=2023, settled_on__month=3)
    assert march.count() == resent.rows_total - resent.rows_rejected == first_march.rows_total - first_march.rows_rejected
    assert not march.filter(institution="瑞安市中医院").exists()  # the corrected names, never both
    loaded = sum(job.rows_total - job.rows_rejected for job in jobs[:-1])
    assert SettlementRecord.objects.filter(year=2023).count() == loaded  # March once, not twice


def test_2023s_screening_flagged_2022s_paid_families_for_follow_up_apart_from_the_new_targets(demo_output):
    from assistance.models import Application, FollowUp, ScreeningRun
    from fundportal.workqueue import queue_for

    run = ScreeningRun.objects.get(year=2023)
    assert run.shared_at is not None and run.targets.count() > 20
    paid = set(Application.objects.filter(year=2022, state="paid").values_list("person_id", flat=True))
    follow_ups = FollowUp.objects.filter(year=2023)
    assert set(follow_ups.values_list("person_id", flat=True)) == paid
    assert not run.targets.filter(person__in=paid).exists()  # below the warning line: followed, not listed
    village = User.objects.get(username="cab_village")
    waiting = follow_ups.get(region=village.region)
    assert waiting.state == "open" and waiting.over_threshold
    reviewed = follow_ups.get(outcome="review")
    assert reviewed.review_case.source == "follow_up" and reviewed.review_case.previous.state == "eligible"
    assert "防止返贫监测：转入低收入资格审核 1 件，待跟进 1 件" in demo_output
    assert any(item.count >= 1 for item in queue_for(village) if item.key.startswith("followup"))


def test_lapsing_eligibility_opened_one_re_review_each_some_waiting_for_the_demo_village(demo_output):
    from assistance.models import ReviewCase

    rechecks = ReviewCase.objects.filter(source="recheck").select_related("previous")
    assert rechecks.count() >= 5
    for case in rechecks:
        opened = timezone.localtime(case.history.earliest("history_date").history_date).date()
        assert opened == case.previous.valid_until - dt.timedelta(days=30)
        assert case.year == case.previous.year + 1 and case.person_id == case.previous.person_id
    village = User.objects.get(username="cab_village").region
    assert rechecks.filter(region=village, state="at_village").exists()
    assert rechecks.filter(state="eligible").exclude(region=village).exists()


def test_each_decided_re_review_found_what_its_notes_say(demo_output):
    """"家庭成员无变化，配偶（本人）收入略有增加": the comparison shows the same members and that one
    income up by what the household's went up — not another family's members."""
    from assistance.models import ReviewCase
    from assistance.review.selectors import household_changes

    decided = ReviewCase.objects.filter(source="recheck", verified_at__isnull=False)
    assert decided.exists()
    for case in decided:
        changes = household_changes(case)
        assert (changes.added, changes.removed) == ([], []), case.person.name
        [change] = changes.income_changes
        assert change.after - change.before == changes.income_difference == Decimal("2400")
        assert f"{change.relation}收入略有增加" in case.notes and "家庭成员无变化" in case.notes


def test_a_death_and_a_move_in_the_files_stopped_what_waited_on_those_families(demo_output):
    from assistance.models import Application, InsuredPerson, ReviewCase

    died = InsuredPerson.objects.get(is_deceased=True, applications__year=2022, applications__state="withdrawn")
    case = ReviewCase.objects.get(person=died, year=2022)
    assert (case.state, case.closed_reason) == ("closed", "对象已死亡")
    assert Application.objects.get(person=died, year=2022).withdrawn_reason == "对象已死亡"
    assert "死亡、迁出人员终止审核" in demo_output


def test_the_2023_scheme_was_revised_and_version_2_paid_2024s_families(demo_output):
    from assistance.models import Payout, Scheme

    versions = list(Scheme.objects.filter(year=2023).order_by("version"))
    assert [(s.version, s.approved_at is not None) for s in versions] == [(1, False), (2, True)]
    assert versions[1].annual_cap == Decimal("120000.00")
    paid = Payout.objects.filter(application__year=2023, state=Payout.State.PAID)
    assert paid.count() == 4 and {p.application.state for p in paid} == {"paid"}
    assert all(p.item.resolution.scheme_id == versions[1].pk for p in paid)


def test_2024s_statements_continue_the_same_chain(demo_output):
    from disclosure.models import Statement
    from disclosure.services import chain_problems

    published = Statement.objects.filter(state=Statement.State.PUBLISHED)
    assert chain_problems() == []
    year_2024 = published.get(kind=Statement.Kind.YEAR, period_end__year=2024)
    before = published.filter(sequence__lt=year_2024.sequence).order_by("-sequence").first()
    assert year_2024.previous == before and year_2024.previous_sha256 == before.sha256
    assert year_2024.content["income"]["total"] == "618600.00"
    report = published.get(kind=Statement.Kind.ANNUAL, period_end__year=2024)
    assert report.sequence == published.order_by("-sequence").first().sequence  # the latest publication
    assert report.content["finance"]["closing_balance"] == year_2024.content["closing_balance"]
    assert "信息公开：已发布 2024 年收支公示及年度报告 6 份" in demo_output
    from disclosure.selectors import overview

    shown = overview()  # 2023 by month, 2024 by quarter: the public overview adds up both years
    assert (shown.received, shown.balance, shown.as_of) == (income_total(), fund_account_main().balance, "2024-12-31")
