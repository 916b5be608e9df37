"""Consent recorded on the clerk's form (and changed later at the counter), the family's opt-out on
its progress page, and the notices shown to staff on the case — phones masked."""
import re

import pytest
from django.test import Client
from django.urls import reverse

from assistance.models import Application, ReviewCase
from fundportal.notices.models import Notice
from tests.fixtures.screening import YEAR

from .helpers import consenting, events, rows

pytestmark = pytest.mark.django_db
MOBILE = "13957700168"


@pytest.fixture
def target_person(shared_run):
    return ReviewCase.objects.filter(region__name="韩田村").order_by("id").first().person


def _form(person, regions, **changes):
    return {"step": "submit", "resident_id": person.resident_id, "year": YEAR, "name": person.name,
            "region": regions["hantian"].pk, "phone": "0577-65812345", "account_holder": person.name,
            "bank_name": "瑞安农商银行", "account_number": "6228480012345673256",
            "members-TOTAL_FORMS": 1, "members-INITIAL_FORMS": 0, "members-0-name": person.name,
            "members-0-relation": "本人", "costs-TOTAL_FORMS": 0, "costs-INITIAL_FORMS": 0,
            "documents-TOTAL_FORMS": 0, "documents-INITIAL_FORMS": 0, **changes}


# ------------------------------------------------------------------------------- the clerk's form

def test_the_form_offers_consent_and_the_number_to_use(client, clerk, target_person):
    client.force_login(clerk)
    html = client.post(reverse("workspace:new"), {"step": "lookup", "resident_id": target_person.resident_id,
                                                  "year": YEAR}).content.decode()
    assert 'name="notice_consent"' in html and "同意接收短信通知" in html and 'name="notice_phone"' in html


@pytest.mark.parametrize("typed", ["1395770016", "23957700168", "abc", "1295770016８"])
def test_a_bad_mobile_is_a_chinese_error_and_the_form_keeps_everything(client, clerk, target_person, regions, typed):
    client.force_login(clerk)
    response = client.post(reverse("workspace:new"), _form(target_person, regions, notice_consent="on",
                                                           notice_phone=typed, notes="家属陪同来办"))
    html = response.content.decode()
    assert response.status_code == 200 and "请填写正确的手机号码" in html
    assert f'value="{typed}"' in html and "家属陪同来办" in html
    assert re.search(r'name="notice_consent"[^>]*checked', html)
    assert not Application.objects.exists() and not Notice.objects.exists()


def test_consent_with_only_a_landline_asks_for_a_mobile(client, clerk, target_person, regions):
    client.force_login(clerk)
    html = client.post(reverse("workspace:new"), _form(target_person, regions, notice_consent="on")).content.decode()
    assert "联系电话不是手机号码" in html and not Application.objects.exists()


def test_full_width_digits_are_accepted_and_the_slip_shows_the_choice_masked(client, clerk, target_person, regions):
    client.force_login(clerk)
    response = client.post(reverse("workspace:new"), _form(target_person, regions, notice_consent="on",
                                                           notice_phone="１３９５７７０ ０１６８"))
    assert response.status_code == 302
    application = Application.objects.get()
    assert (application.notice_consent, application.notice_phone) == (True, MOBILE)
    assert events(application) == ["received"]
    slip = client.get(reverse("workspace:slip", args=[application.number])).content.decode()
    assert "同意接收，发往 139****0168" in slip and MOBILE not in slip


def test_without_the_box_ticked_nothing_is_sent(client, clerk, target_person, regions):
    client.force_login(clerk)
    assert client.post(reverse("workspace:new"), _form(target_person, regions, phone="13812345678")).status_code == 302
    application = Application.objects.get()
    assert not application.notice_consent and rows(application) == []
    assert "未同意接收短信通知" in client.get(reverse("workspace:application", args=[application.number])).content.decode()


# ------------------------------------------------------------------------- later, at the counter

@pytest.fixture
def application(clerk, target_person, regions, client):
    client.force_login(clerk)
    client.post(reverse("workspace:new"), _form(target_person, regions, notice_consent="on", notice_phone=MOBILE))
    client.logout()
    return Application.objects.get()


def test_the_clerk_changes_the_number_and_a_refused_one_keeps_the_input(client, clerk, application):
    client.force_login(clerk)
    url = reverse("workspace:notice_settings", args=[application.number])
    bad = client.post(url, {"notice_consent": "on", "notice_phone": "12345"})
    assert bad.status_code == 400 and "请填写正确的手机号码" in bad.content.decode()
    assert 'value="12345"' in bad.content.decode()
    assert client.post(url, {"notice_consent": "on", "notice_phone": "136 0000 1111"}).status_code == 302
    application.refresh_from_db()
    assert application.notice_phone == "13600001111"
    page = client.get(reverse("workspace:application", args=[application.number])).content.decode()
    assert "不填则保留现在的号码 136****1111" in page and "13600001111" not in page
    client.post(url, {"notice_consent": "on", "notice_phone": ""})  # left blank: the number stays
    application.refresh_from_db()
    assert application.notice_phone == "13600001111"
    assert application.history.first().history_change_reason == "窗口登记短信通知：同意接收"


def test_consent_again_at_the_counter_ends_an_opt_out(client, clerk, application):
    consenting(application, phone="", opted_out=True)
    client.force_login(clerk)
    url = reverse("workspace:notice_settings", args=[application.number])
    refused = client.post(url, {"notice_consent": "on"})  # the contact phone is a landline: a mobile is asked for
    assert refused.status_code == 400 and "联系电话不是手机号码" in refused.content.decode()
    client.post(url, {"notice_consent": "on", "notice_phone": MOBILE})
    application.refresh_from_db()
    assert application.notice_opted_out_at is None and application.notice_phone == MOBILE


def test_only_a_clerk_changes_the_settings(client, cab_village, application):
    client.force_login(cab_village)
    response = client.post(reverse("workspace:notice_settings", args=[application.number]), {"notice_consent": ""})
    assert response.status_code == 403
    application.refresh_from_db()
    assert application.notice_consent


def test_another_clerk_cannot_reach_an_application_not_theirs(client, application):
    from fundportal.roles import Role
    from tests.fixtures.personas import make_user

    client.force_login(make_user("clerk_b", Role.REDCROSS_CLERK))
    assert client.post(reverse("workspace:notice_settings", args=[application.number]),
                       {"notice_consent": ""}).status_code == 404


# ---------------------------------------------------------------------------- the progress page

def _proved(application) -> Client:
    client = Client()
    client.post(reverse("progress:lookup"), {"n": application.number, "c": application.lookup_code})
    return client


def test_the_family_opts_out_and_back_in_from_its_page(application):
    client = _proved(application)
    page = client.get(f"{reverse('progress:case')}?n={application.number}").content.decode()
    assert "退订短信通知" in page and "已开启" in page and MOBILE not in page and "139****0168" not in page
    response = client.post(reverse("progress:notices"), {"n": application.number, "choice": "stop"})
    assert response.status_code == 302 and response["Location"].endswith("#notices")
    application.refresh_from_db()
    assert application.notice_opted_out_at is not None
    assert application.history.first().history_change_reason == "家庭在进度查询页退订短信通知"
    assert application.history.first().history_user is None  # the family, not a member of staff
    page = client.get(f"{reverse('progress:case')}?n={application.number}").content.decode()
    assert "已退订" in page and "恢复短信通知" in page
    client.post(reverse("progress:notices"), {"n": application.number, "choice": "resume"})
    application.refresh_from_db()
    assert application.notice_opted_out_at is None


def test_opting_out_needs_the_code_and_a_wrong_code_is_refused_like_a_missing_number(application):
    wrong = Client()
    wrong.post(reverse("progress:lookup"), {"n": application.number, "c": "ZZZZZZZZ"})
    refused = wrong.post(reverse("progress:notices"), {"n": application.number, "choice": "stop"})
    missing = _proved(application).post(reverse("progress:notices"), {"n": "SQ202399999", "choice": "stop"})
    assert refused.status_code == missing.status_code == 404
    strip = lambda r: re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", r.content.decode())  # noqa: E731
    assert strip(refused) == strip(missing)
    application.refresh_from_db()
    assert application.notice_opted_out_at is None


def test_opting_out_is_a_post_with_a_csrf_token(application):
    client = _proved(application)
    assert client.get(reverse("progress:notices")).status_code == 405
    strict = Client(enforce_csrf_checks=True)
    strict.post(reverse("progress:lookup"), {"n": application.number, "c": application.lookup_code})
    assert strict.post(reverse("progress:notices"), {"n": application.number, "choice": "stop"}).status_code == 403


def test_a_family_that_never_consented_cannot_switch_notices_on_online(clerk, target_person, regions):
    client = Client()
    client.force_login(clerk)
    client.post(reverse("workspace:new"), _form(target_person, regions, phone="13812345678"))
    application = Application.objects.get()
    family = _proved(application)
    page = family.get(f"{reverse('progress:case')}?n={application.number}").content.decode()
    assert "申请时未登记接收短信通知" in page and "退订短信通知" not in page
    refused = family.post(reverse("progress:notices"), {"n": application.number, "choice": "resume"})
    assert refused.status_code == 400 and "请到红十字会窗口办理" in refused.content.decode()


# ------------------------------------------------------------------------------ staff see them, masked

def test_the_notices_show_on_the_clerks_page_and_the_admin_page_never_with_the_whole_phone(
        client, clerk, auditor, application):
    client.force_login(clerk)
    detail = client.get(reverse("workspace:application", args=[application.number]))
    html = detail.content.decode()
    assert "family_received" in html and "139****0168" in html and MOBILE not in html
    assert "no-store" in detail["Cache-Control"]
    client.force_login(auditor)
    admin = client.get(reverse("admin:assistance_application_change", args=[application.pk])).content.decode()
    assert "family_received" in admin and "139****0168" in admin and MOBILE not in admin
    assert "同意接收，发往 139****0168" in admin


def test_a_role_without_the_notice_permission_sees_no_notices(client, secretary, application):
    Application.objects.filter(pk=application.pk).update(state=Application.State.READY)
    client.force_login(secretary)
    response = client.get(reverse("admin:assistance_application_change", args=[application.pk]))
    assert response.status_code == 200 and "family_received" not in response.content.decode()


# ------------------------------------------------------------------ an opt-out stops what is queued

def test_a_notice_queued_before_the_opt_out_is_not_sent_after_it(application, clerk, settings, tmp_path):
    """A notice still waiting (its task not yet run, a retry's pause, a staff resend) when the family
    opts out is refused at sending, never delivered: consent is checked when the SMS goes out."""
    from django.contrib.auth.models import Permission

    from fundportal.notices.sending import notice_send
    from fundportal.notices.services import notice_resend

    settings.NOTICE_BACKEND = "fundportal.notices.backends.FileBackend"
    settings.NOTICE_FILE_PATH = str(sent := tmp_path / "sent.jsonl")
    [received] = rows(application)
    assert received.state == Notice.State.PENDING  # queued with the application, sent after commit
    _proved(application).post(reverse("progress:notices"), {"n": application.number, "choice": "stop"})
    assert notice_send(received.pk) == "failed"
    received.refresh_from_db()
    assert received.state == Notice.State.FAILED and "退订" in received.provider_reply
    assert not sent.exists()
    clerk.user_permissions.add(Permission.objects.get(codename="resend_notice"))
    clerk = type(clerk).objects.get(pk=clerk.pk)  # the permission cache emptied
    notice_resend(notice=received, acting_user=clerk)  # staff send it again by hand: still refused
    assert notice_send(received.pk) == "failed" and not sent.exists()


def test_a_donor_whose_consent_is_cleared_is_not_sent_what_was_queued(finance, settings, tmp_path):
    from donations.models import Donor
    from donations.services import donor_create
    from fundportal.notices.sending import notice_send
    from tests.donations.helpers import record

    settings.NOTICE_BACKEND = "fundportal.notices.backends.FileBackend"
    settings.NOTICE_FILE_PATH = str(sent := tmp_path / "sent.jsonl")
    donor = donor_create(kind=Donor.Kind.INDIVIDUAL, name="潘晓丽", phone=MOBILE, notice_consent=True,
                         acting_user=finance)
    [notice] = rows(record(finance, amount="500.00", donor=donor).receipts.get())
    Donor.objects.filter(pk=donor.pk).update(notice_consent=False)
    assert notice_send(notice.pk) == "failed" and not sent.exists()
