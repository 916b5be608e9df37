"""The audit trail reads like a ledger a person can follow: labels not codes, people by their names,
Beijing time to the second, nothing where there was nothing, no entry for a login — on the page and
in the CSV alike; and staff appear by their names on every staff page."""
import csv
import datetime as dt
import io
import re

import pytest
from axes.models import AccessLog
from django.urls import reverse
from django.utils import timezone

from donations import services
from fundportal.history import value_text, when_text
from fundportal.models import ExportLog, User
from tests.fixtures.personas import PASSWORD
from tests.donations.helpers import record
from tests.fixtures.factories import DonorFactory, UserFactory

pytestmark = pytest.mark.django_db

BEIJING_SECOND = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")


@pytest.fixture
def voided_receipt(finance):
    finance.first_name = "慈善总会 李会计"
    finance.save()
    donation = record(finance, donor=DonorFactory(name="瑞安市人民医院"))
    receipt = donation.receipts.get()
    services.receipt_void_and_reissue(receipt=receipt, reason="名称有误", acting_user=finance)
    receipt.refresh_from_db()
    return receipt


def _csv_rows(client, **params) -> list[list[str]]:
    response = client.get(reverse("audit_trail"), {"format": "csv", **params})
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))


def test_audit_trail_shows_labels_names_and_beijing_time_on_page_and_in_csv(client, auditor, voided_receipt):
    client.force_login(auditor)
    rows = client.get(reverse("audit_trail"), {"model": "donations.receipt"}).context["rows"]
    void_row = next(r for r in rows if r.action == "修改" and r.object_repr == voided_receipt.number)
    voided_at = timezone.localtime(voided_receipt.voided_at).strftime("%Y-%m-%d %H:%M:%S")
    assert void_row.actor == "慈善总会 李会计"
    assert ("状态", "有效", "已作废") in void_row.changes
    assert ("作废人", "", "慈善总会 李会计") in void_row.changes  # a user by their name, nothing for None
    assert ("作废时间", "", voided_at) in void_row.changes  # Beijing time, to the second

    lines = [line for line in _csv_rows(client, model="donations.receipt")[1:] if line[5] == "修改"]
    line = next(line for line in lines if line[4] == voided_receipt.number)
    assert BEIJING_SECOND.match(line[0]) and line[1] == "慈善总会 李会计"
    assert "状态: 有效 → 已作废" in line[7] and f"作废时间:  → {voided_at}" in line[7]
    for text in (line[7], client.get(reverse("audit_trail")).content.decode()):
        assert "None" not in text and "voided" not in text and "+00:00" not in text


def test_every_kind_of_value_is_shown_the_way_people_read_it(voided_receipt, finance):
    from donations.models import Donation, Receipt

    moment = dt.datetime(2024, 3, 5, 6, 7, 9, 123456, tzinfo=dt.UTC)
    assert when_text(moment) == "2024-03-05 14:07:09"
    assert value_text(Receipt, "voided_at", moment) == "2024-03-05 14:07:09"
    assert value_text(Receipt, "status", "voided") == "已作废"
    assert value_text(Receipt, "voided_by", None) == ""
    assert value_text(Receipt, "voided_by", finance.pk) == "慈善总会 李会计"
    assert value_text(Receipt, "voided_by", 999_999) == "#999999"  # a user since deleted: never a crash
    assert value_text(Receipt, "is_organisation", True) == "是"
    assert value_text(Receipt, "received_on", dt.date(2024, 3, 5)) == "2024-03-05"
    assert value_text(Donation, "channel", "no-such-code") == "no-such-code"


def test_a_login_leaves_no_history_row_and_no_audit_entry(client, auditor):
    staff = UserFactory(username="kezhang", first_name="林科长")
    rows_before = staff.history.count()
    response = client.post(reverse("admin:login"), {"username": "kezhang", "password": PASSWORD, "next": "/admin/"})
    assert response.status_code == 302
    staff.refresh_from_db()
    assert staff.last_login is not None
    assert staff.history.count() == rows_before
    assert AccessLog.objects.filter(username="kezhang").exists()  # the login log (django-axes) keeps it
    client.force_login(auditor)
    assert _csv_rows(client, model="fundportal.user", actor="kezhang")[1:] == []


def test_a_save_that_changed_nothing_is_not_an_audit_entry(client, auditor):
    # Logins before this rule left such rows (last_login is not kept, the row was): they stay in the
    # tables, and the trail does not list them.
    staff = UserFactory(username="kezhang", first_name="林科长")
    staff.save()
    assert staff.history.filter(history_type="~").exists()
    client.force_login(auditor)
    rows = client.get(reverse("audit_trail"), {"model": "fundportal.user"}).context["rows"]
    assert [r.action for r in rows if r.object_repr == "林科长"] == ["创建"]


def test_a_change_to_a_user_is_still_audited(client, auditor, admin_user):
    from fundportal.audit import records_actor

    staff = UserFactory(username="kezhang", first_name="林科长")
    staff.organisation = "瑞安市民政局"
    records_actor(lambda *, acting_user: staff.save())(acting_user=admin_user)
    client.force_login(auditor)
    rows = client.get(reverse("audit_trail"), {"model": "fundportal.user"}).context["rows"]
    assert any(("所在单位", "", "瑞安市民政局") in r.changes and r.object_repr == "林科长" for r in rows)


@pytest.mark.parametrize("actor", ["finance", "慈善总会 李会计"])
def test_the_trail_is_filtered_by_a_persons_login_or_name(client, auditor, voided_receipt, actor):
    client.force_login(auditor)
    rows = client.get(reverse("audit_trail"), {"actor": actor}).context["rows"]
    assert rows and {r.actor for r in rows} == {"慈善总会 李会计"}
    assert client.get(reverse("audit_trail"), {"actor": "nobody"}).context["rows"] == []


@pytest.mark.parametrize("params", [
    {"date_from": "2024-03-05", "date_to": "2024-03-01"},  # the wrong way round
    {"date_from": "2024-02-30"},
    {"model": "auth.permission"},  # not an audited model
])
def test_a_bad_filter_is_refused_and_never_widens_the_export(client, auditor, voided_receipt, params):
    client.force_login(auditor)
    page = client.get(reverse("audit_trail"), params)
    assert page.status_code == 400 and page.context["rows"] == [] and page.context["form"].errors
    assert client.get(reverse("audit_trail"), {**params, "format": "csv"}).status_code == 400
    assert not ExportLog.objects.exists()


@pytest.mark.parametrize("persona", ["finance", "clerk", "msb"])
def test_only_auditors_read_the_trail_with_or_without_filters(request, client, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("audit_trail"), {"actor": "finance"}).status_code == 403
    assert client.get(reverse("audit_trail"), {"date_from": "bad", "format": "csv"}).status_code == 403


@pytest.mark.parametrize("first, last, shown", [
    ("民政局 林科长", "", "民政局 林科长"),  # the demo users: the whole name in first_name
    ("科长", "林", "林科长"),  # a Han name as the admin's two boxes hold it: surname first, no space
    ("Ada", "Lovelace", "Ada Lovelace"),
    ("", "", "kezhang"),  # no name yet: the login
    ("  ", "", "kezhang"),
])
def test_a_staff_user_is_shown_by_their_name(first, last, shown):
    user = User(username="kezhang", first_name=first, last_name=last)
    assert str(user) == shown and user.get_short_name() == shown


def test_staff_pages_name_people_not_logins(client, admin_user, voided_receipt):
    client.force_login(admin_user)
    page = client.get(reverse("admin:donations_receipt_change", args=[voided_receipt.pk])).content.decode()
    assert "慈善总会 李会计" in page  # 开具人 / 作废人, read-only fields
    users = client.get(reverse("admin:fundportal_user_changelist"))
    assert users.status_code == 200 and "慈善总会 李会计" in users.content.decode()
    searched = client.post(reverse("admin:fundportal_user_changelist"), {"_search": "1", "q": "李会计"})
    assert client.get(searched["Location"]).status_code == 200
    finance = User.objects.get(username="finance")
    change = client.get(reverse("admin:fundportal_user_change", args=[finance.pk]))
    assert change.status_code == 200 and "慈善总会 李会计" in change.content.decode()
    assert client.get(reverse("admin:fundportal_user_history", args=[finance.pk])).status_code == 200
    for name in ("accesslog", "accessattempt"):  # the login log still lists logins by login name
        assert client.get(reverse(f"admin:axes_{name}_changelist")).status_code == 200
