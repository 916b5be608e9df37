"""Applications entered by Red Cross clerks: prefill, submission, one open application per person
and year, the link to the review, documents (real type, size, who may open them), the workspace."""
import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from assistance.review import services as review
from assistance.applications.services import MAX_DOCUMENT_BYTES, application_prefill, application_submit
from assistance.models import Application, DocumentAccess, EligibilityCategory, InsuredPerson, ReviewCase
from tests.concurrency import run_concurrently
from tests.fixtures.factories import make_resident_id
from tests.fixtures.screening import YEAR, make_run

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64
SELF = [{"name": "张三", "relation": "本人"}]  # the household as a visit finds it: at least the person


def pdf(name="invoice.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def submit(clerk, *, resident_id, region, name="", **changes):
    name = name or getattr(InsuredPerson.objects.filter(resident_id=resident_id).first(), "name", "张三")
    fields = {"acting_user": clerk, "resident_id": resident_id, "name": name, "region": region, "year": YEAR,
              "phone": "13812345678", "account_holder": name or "张三", "bank_name": "瑞安农商银行",
              "account_number": "6228480012345673256", "members": [{"name": name, "relation": "本人"}],
              "extra_costs": [], "documents": [],
              **changes}
    return application_submit(**fields)


@pytest.fixture
def target_person(shared_run):
    """A person on the shared warning list (韩田村), under review (first screening)."""
    return ReviewCase.objects.filter(region__name="韩田村").order_by("id").first().person


def test_prefill_from_the_registry_the_warning_list_and_the_msb_figures(target_person):
    prefill = application_prefill(resident_id=target_person.resident_id.lower(), year=YEAR)
    assert (prefill.name, prefill.region.name, prefill.target.out_of_pocket) == (
        target_person.name, "韩田村", Decimal("60000.00"))
    assert prefill.review_case.state == ReviewCase.State.FIRST_SCREENING
    with pytest.raises(ValidationError, match="校验位错误"):
        application_prefill(resident_id=target_person.resident_id[:17] + "0"
                            if target_person.resident_id[17] != "0" else target_person.resident_id[:17] + "1",
                            year=YEAR)


def test_a_target_under_review_joins_their_review_case(clerk, target_person, regions):
    application = submit(clerk, resident_id=target_person.resident_id, region=regions["hantian"],
                         name=target_person.name, documents=[("invoice", pdf())],
                         members=[{"name": target_person.name, "relation": "本人"}],
                         extra_costs=[{"institution": "上海瑞金医院", "invoice_number": "31000022001",
                                       "paid_on": dt.date(YEAR, 5, 3), "amount": Decimal("12500.00")}])
    assert application.number == f"SQ{YEAR}00001"
    assert application.state == Application.State.UNDER_REVIEW
    assert application.review_case == ReviewCase.objects.get(person=target_person, year=YEAR)
    assert ReviewCase.objects.count() == 6  # joined, not a second case
    assert (application.members.count(), application.extra_costs.get().amount) == (1, Decimal("12500.00"))
    document = application.documents.get()
    assert (document.content_type, document.kind, document.original_name) == ("application/pdf", "invoice",
                                                                              "invoice.pdf")
    assert target_person.name not in document.file.name  # the stored name says nothing about the person


def test_someone_the_msb_data_never_saw_is_registered_and_goes_to_civil_affairs(clerk, regions, shared_run):
    resident_id = make_resident_id(777, birth=dt.date(1961, 4, 9))
    application = submit(clerk, resident_id=resident_id, region=regions["shadu"], name="周小梅")
    person = InsuredPerson.objects.get(resident_id=resident_id)
    assert (person.name, person.sex, person.birth_date, person.region.name) == (
        "周小梅", "F" if int(resident_id[16]) % 2 == 0 else "M", dt.date(1961, 4, 9), "沙渎村")
    case = application.review_case
    assert (case.source, case.state, case.region.name) == (ReviewCase.Source.APPLICATION,
                                                          ReviewCase.State.FIRST_SCREENING, "沙渎村")


def test_someone_already_eligible_is_ready_for_costing_and_later_decisions_reach_the_application(
        clerk, target_person, regions, cab_city, cab_town, cab_village, shared_run):
    case = ReviewCase.objects.get(person=target_person)
    case = review.review_case_assign(case=review.review_case_dispatch(case=case, acting_user=cab_city),
                                     acting_user=cab_town)
    application = submit(clerk, resident_id=target_person.resident_id, region=regions["hantian"])
    assert application.state == Application.State.UNDER_REVIEW
    case = review.review_case_verify(case=case, acting_user=cab_village, household=SELF, household_income=100,
                                     visited_on=timezone.localdate())
    review.review_case_determine(case=case, acting_user=cab_city, eligible=True,
                                 category=EligibilityCategory.objects.first())
    application.refresh_from_db()
    assert application.state == Application.State.READY
    assert application.history.first().history_change_reason == "民政认定：认定符合"


def test_one_open_application_per_person_and_year_with_a_link_to_the_first(clerk, target_person, regions):
    first = submit(clerk, resident_id=target_person.resident_id, region=regions["hantian"])
    with pytest.raises(ValidationError) as refused:
        submit(clerk, resident_id=target_person.resident_id, region=regions["hantian"])
    message = refused.value.messages[0]
    assert first.number in message and reverse("workspace:application", args=[first.number]) in message
    assert Application.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_clerks_entering_the_same_person_at_once_make_one_application(msb, regions):
    from tests.fixtures.personas import make_user
    from fundportal.roles import Role

    run = make_run(msb, [(1, regions["hantian"])])
    review.review_cases_open_for_run(run=run, acting_user=msb)
    person = ReviewCase.objects.get().person
    clerks = [make_user(f"clerk{i}", Role.REDCROSS_CLERK) for i in range(6)]
    results = run_concurrently(lambda i: submit(clerks[i], resident_id=person.resident_id,
                                                region=regions["hantian"]), 6)
    assert len([r for r in results if isinstance(r, Application)]) == 1
    assert all(isinstance(r, ValidationError) for r in results if not isinstance(r, Application)), results
    assert Application.objects.count() == 1


def test_a_person_found_not_eligible_that_year_is_refused_with_the_reason(
        clerk, target_person, regions, cab_city, cab_town, cab_village):
    case = ReviewCase.objects.get(person=target_person)
    case = review.review_case_assign(case=review.review_case_dispatch(case=case, acting_user=cab_city),
                                     acting_user=cab_town)
    case = review.review_case_verify(case=case, acting_user=cab_village, household=SELF, household_income=90000,
                                     visited_on=timezone.localdate())
    review.review_case_determine(case=case, acting_user=cab_city, eligible=False, reason="家庭收入高于标准")
    with pytest.raises(ValidationError, match="已被民政部门认定不符合.*家庭收入高于标准"):
        submit(clerk, resident_id=target_person.resident_id, region=regions["hantian"])


@pytest.mark.parametrize("changes, message", [
    ({"name": "李四"}, "姓名与参保登记不一致"),
    ({"phone": "12345"}, "请填写正确的联系电话"),
    ({"account_number": "6228-4800"}, "银行账号应为 10–30 位数字"),
    ({"members": [{"name": "张小", "relation": "子女", "resident_id": "330381"}]}, "第 1 位家庭成员：身份证号码应为18位"),
    ({"extra_costs": [{"institution": "上海瑞金医院", "invoice_number": "A1", "paid_on": dt.date(YEAR - 1, 1, 1),
                       "amount": Decimal("10")}]}, "发票日期不在"),
    ({"documents": [("invoice", SimpleUploadedFile("invoice.pdf", EXE))]}, "不是 PDF、JPEG 或 PNG 文件"),
    ({"other_assistance": Decimal("-1")}, "其他渠道已救助金额不能为负数"),
    ({"documents": [("record", SimpleUploadedFile("scan.jpg", JPEG[:3] + b"\x00" * (MAX_DOCUMENT_BYTES + 1)))]},
     "超过 10 MB"),
])
def test_bad_input_is_refused_with_a_chinese_reason_and_nothing_is_kept(clerk, target_person, regions, changes,
                                                                       message, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    with pytest.raises(ValidationError, match=message):
        submit(clerk, resident_id=target_person.resident_id, region=regions["hantian"], **changes)
    assert not Application.objects.exists()
    assert not list(tmp_path.rglob("*.*"))  # no scan left on disk


def test_an_invoice_used_by_another_application_is_refused(clerk, target_person, regions, shared_run):
    cost = {"institution": "上海瑞金医院", "invoice_number": "31000022001", "paid_on": dt.date(YEAR, 5, 3),
            "amount": Decimal("100")}
    submit(clerk, resident_id=target_person.resident_id, region=regions["hantian"], extra_costs=[cost])
    other = ReviewCase.objects.filter(region__name="沙渎村").get().person
    with pytest.raises(ValidationError, match="发票号码已在其他申请中使用过"):
        submit(clerk, resident_id=other.resident_id, region=regions["shadu"], extra_costs=[cost])


@pytest.mark.parametrize("persona", ["msb", "cab_city", "finance"])
def test_only_clerks_accept_applications(request, persona, target_person, regions):
    with pytest.raises(PermissionDenied):
        submit(request.getfixturevalue(persona), resident_id=target_person.resident_id, region=regions["hantian"])


# ------------------------------------------------------------------------------------- workspace

@pytest.fixture
def submitted(clerk, target_person, regions, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return submit(clerk, resident_id=target_person.resident_id, region=regions["hantian"],
                  documents=[("invoice", pdf())])


def test_the_clerk_sees_their_applications_and_the_slip(client, clerk, submitted):
    client.force_login(clerk)
    home = client.get(reverse("workspace:home"))
    assert submitted.number in home.content.decode() and "no-store" in home["Cache-Control"]
    slip = client.get(reverse("workspace:slip", args=[submitted.number])).content.decode()
    assert "救助申请受理回执" in slip and submitted.number in slip
    assert submitted.account_number not in slip and "6228 **** **** 3256" in slip  # the account masked


@pytest.mark.parametrize("persona", ["cab_city", "cab_village", "clerk", "auditor"])
def test_roles_that_need_a_scan_open_it_and_each_opening_is_logged(request, client, submitted, persona):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    document = submitted.documents.get()
    response = client.get(reverse("workspace:document", args=[document.pk]))
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf" and "no-store" in response["Cache-Control"]
    assert DocumentAccess.objects.filter(document=document, user=user).count() == 1


@pytest.mark.parametrize("persona", ["msb", "finance", "other_town", "other_village", "other_clerk"])
def test_roles_that_must_not_open_a_scan_are_refused(request, client, submitted, persona):
    if persona == "other_clerk":
        from tests.fixtures.personas import make_user
        from fundportal.roles import Role

        user = make_user("clerk2", Role.REDCROSS_CLERK)
    else:
        user = request.getfixturevalue(persona)
    client.force_login(user)
    document = submitted.documents.get()
    assert client.get(reverse("workspace:document", args=[document.pk])).status_code in (403, 404)
    assert client.get(reverse("workspace:application", args=[submitted.number])).status_code in (403, 404)
    assert not DocumentAccess.objects.exists()


def test_the_workspace_entry_from_id_to_slip(client, clerk, target_person, regions, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(clerk)
    page = client.post(reverse("workspace:new"), {"step": "lookup", "resident_id": target_person.resident_id,
                                                  "year": YEAR})
    assert page.status_code == 200 and target_person.name in page.content.decode()
    assert target_person.resident_id not in page.request["PATH_INFO"]
    form = {"step": "submit", "resident_id": target_person.resident_id, "year": YEAR, "name": target_person.name,
            "region": regions["hantian"].pk, "phone": "13812345678", "account_holder": target_person.name,
            "bank_name": "瑞安农商银行", "account_number": "6228 4800 1234 5673 256", "other_assistance": "1200.50",
            "members-TOTAL_FORMS": 1, "members-INITIAL_FORMS": 0, "members-0-name": target_person.name,
            "members-0-relation": "本人", "costs-TOTAL_FORMS": 0, "costs-INITIAL_FORMS": 0,
            "documents-TOTAL_FORMS": 1, "documents-INITIAL_FORMS": 0, "documents-0-kind": "id_card",
            "documents-0-file": SimpleUploadedFile("身份证.jpg", JPEG)}
    response = client.post(reverse("workspace:new"), form)
    application = Application.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("workspace:slip",
                                                                           args=[application.number])
    assert (application.account_number, application.documents.get().content_type) == (
        "6228480012345673256", "image/jpeg")
    assert application.other_assistance == Decimal("1200.50")


def test_other_roles_cannot_use_the_workspace(client, finance, msb):
    for user in (finance, msb):
        client.force_login(user)
        assert client.get(reverse("workspace:home")).status_code == 403
        assert client.get(reverse("workspace:new")).status_code == 403


@pytest.mark.parametrize("persona, sees", [("cab_village", True), ("cab_town", True), ("auditor", True),
                                           ("other_town", False), ("other_village", False)])
def test_applications_in_the_admin_are_area_scoped_and_masked(request, client, submitted, persona, sees):
    client.force_login(request.getfixturevalue(persona))
    listing = client.get(reverse("admin:assistance_application_changelist"))
    page = client.get(reverse("admin:assistance_application_change", args=[submitted.pk]))
    if sees:
        html = listing.content.decode()
        assert submitted.number in html and submitted.person.name not in html  # masked in the list
        assert reverse("workspace:document", args=[submitted.documents.get().pk]) in page.content.decode()
    else:
        assert listing.status_code == 403 or submitted.number not in listing.content.decode()
        assert page.status_code in (302, 403, 404)
