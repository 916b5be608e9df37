"""Staff see the outbox — in the admin, on a case's page — with the phone masked on every page and
in every log line; roles without the permission are refused, officers see only their area's cases,
and only the roles that may send a notice again can."""
import logging

import pytest
from django.contrib.admin.models import LogEntry
from django.core.exceptions import PermissionDenied, ValidationError
from django.template import Context, Template
from django.urls import reverse

from fundportal.notices import selectors
from fundportal.notices.models import Notice
from fundportal.notices.sending import notice_send
from fundportal.notices.services import notice_resend
from tests.fixtures.factories import NoticeFactory

from .helpers import MASKED, PHONE

pytestmark = pytest.mark.django_db
S = Notice.State
CHANGELIST = reverse("admin:fundportal_notice_changelist")


def _change(notice) -> str:
    return reverse("admin:fundportal_notice_change", args=[notice.pk])


@pytest.fixture
def failed(db):
    return NoticeFactory(phone=PHONE, state=S.FAILED, attempts=5, provider_reply="已尝试5次仍未发出：服务商限流")


@pytest.mark.parametrize("url", ["list", "detail", "history"])
def test_the_admin_shows_the_phone_masked_on_every_page_and_keeps_no_copy(client, finance, failed, url):
    client.force_login(finance)
    page = client.get({"list": CHANGELIST, "detail": _change(failed),
                       "history": reverse("admin:fundportal_notice_history", args=[failed.pk])}[url])
    html = page.content.decode()
    assert page.status_code == 200 and "no-store" in page["Cache-Control"]
    assert PHONE not in html
    if url != "history":
        assert MASKED in html and "发送失败" in html


def test_the_detail_shows_the_text_the_family_reads(client, finance, failed):
    client.force_login(finance)
    html = client.get(_change(failed)).content.decode()
    assert "张三您好，您的救助申请（编号SQ2023-0001）已受理" in html and "测试：申请已受理" in html


def test_a_role_without_view_notice_is_refused(client, msb, failed):
    client.force_login(msb)
    assert client.get(CHANGELIST).status_code == 403
    assert client.get(_change(failed)).status_code == 404


def test_an_officer_sees_the_notices_of_the_cases_of_their_area_only(client, cab_village, regions, monkeypatch):
    mine = NoticeFactory(subject=regions["hantian"])
    elsewhere = NoticeFactory(subject=regions["shadu"])
    unscoped = NoticeFactory()  # about nothing an officer's scope names
    client.force_login(cab_village)
    assert [n.pk for n in selectors.notices_for_user(user=cab_village)] == []  # no app has told its scope yet
    from fundportal.models import Region

    monkeypatch.setitem(selectors.SCOPES, Region, lambda user: Region.objects.filter(path__startswith=user.region.path))
    assert {n.pk for n in selectors.notices_for_user(user=cab_village)} == {mine.pk}
    assert client.get(_change(mine)).status_code == 200
    assert client.get(_change(elsewhere)).status_code == 404
    assert client.get(_change(unscoped)).status_code == 404


def test_staff_send_a_failed_notice_again_from_the_admin_and_the_admin_log_says_who(
        client, finance, failed, django_capture_on_commit_callbacks, capsys):
    client.force_login(finance)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(CHANGELIST, {"action": "resend_selected", "_selected_action": [failed.pk]})
    assert response.status_code == 302
    failed.refresh_from_db()
    assert (failed.state, failed.attempts) == (S.SENT, 1)  # sent again by the console backend
    entry = LogEntry.objects.get(object_id=str(failed.pk))
    assert entry.user == finance and entry.change_message.startswith("重新发送通知。此前状态：发送失败，已尝试5次")
    assert "finance" in client.get(_change(failed)).content.decode()  # shown on the row: 重新发送记录
    assert f"[短信] {MASKED} test_received：" in capsys.readouterr().out


def test_a_role_without_resend_notice_cannot_send_again(client, cab_city, failed, monkeypatch):
    monkeypatch.setattr(selectors, "sees_every_notice", lambda user: True)  # let the officer see it
    client.force_login(cab_city)
    page = client.get(CHANGELIST)
    assert page.status_code == 200 and "resend_selected" not in page.content.decode()
    client.post(CHANGELIST, {"action": "resend_selected", "_selected_action": [failed.pk]})
    with pytest.raises(PermissionDenied):
        notice_resend(notice=failed, acting_user=cab_city)
    failed.refresh_from_db()
    assert failed.state == S.FAILED and not LogEntry.objects.exists()


@pytest.mark.parametrize("state", [S.PENDING, S.SENDING, S.SENT])
def test_only_a_failed_or_uncertain_notice_can_be_sent_again(finance, state):
    notice = NoticeFactory(state=state, **({"sent_at": "2024-03-05T10:00+08:00"} if state == S.SENT else {}))
    with pytest.raises(ValidationError, match="只有发送失败或结果不明的通知可以重新发送"):
        notice_resend(notice=notice, acting_user=finance)


def test_the_console_and_the_log_show_the_phone_masked(caplog, capsys, settings, tmp_path):
    caplog.set_level(logging.INFO)
    notice = NoticeFactory(phone=PHONE)
    assert notice_send(notice.pk) == "sent"
    printed = capsys.readouterr().out
    assert printed == f"[短信] {MASKED} test_received：张三您好，您的救助申请（编号SQ2023-0001）已受理，请留意后续短信。\n"
    settings.NOTICE_BACKEND = "fundportal.notices.backends.FileBackend"
    settings.NOTICE_FILE_PATH = tmp_path / "notices.jsonl"
    assert notice_send(NoticeFactory(phone=PHONE).pk) == "sent"
    written = settings.NOTICE_FILE_PATH.read_text(encoding="utf-8")
    assert MASKED in written and PHONE not in written
    assert MASKED in caplog.text and PHONE not in caplog.text
    assert all(PHONE not in record.getMessage() for record in caplog.records)


def test_a_case_page_shows_its_notices_newest_first_phones_masked(regions):
    town = regions["tangxia"]
    older = NoticeFactory(subject=town, phone=PHONE, state=S.FAILED, provider_reply="手机号码格式错误")
    newer = NoticeFactory(subject=town, phone=PHONE)
    NoticeFactory(subject=regions["shadu"])  # another case's
    assert list(selectors.notices_for(town)) == [newer, older]
    html = Template("{% load notices %}{% notices_table town %}").render(Context({"town": town}))
    assert html.count(MASKED) == 2 and PHONE not in html
    assert "发送失败" in html and "待发送" in html and "手机号码格式错误" in html
    assert "张三您好" in html and html.index("待发送") < html.index("发送失败")
