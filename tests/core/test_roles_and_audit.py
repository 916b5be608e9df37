"""Roles hold exactly their permissions; the audit trail records who changed what, for auditors."""
import csv
import io

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from donations import services
from fundportal.masking import mask_phone
from fundportal.models import ExportLog
from fundportal.roles import ROLE_PERMISSIONS, Role
from tests.donations.helpers import record
from tests.fixtures.factories import DonorFactory

pytestmark = pytest.mark.django_db


def _codes(group):
    return {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")}


def test_every_role_group_exists():
    assert set(Group.objects.values_list("name", flat=True)) >= set(Role.values)


def test_finance_has_exactly_the_listed_permissions():
    assert _codes(Group.objects.get(name=Role.CHARITY_FINANCE)) == set(ROLE_PERMISSIONS[Role.CHARITY_FINANCE])


def test_auditor_can_view_everything_and_change_nothing():
    codes = _codes(Group.objects.get(name=Role.AUDITOR))
    assert "donations.view_donation" in codes and "donations.view_historicaldonation" in codes
    assert "fundportal.view_audit_trail" in codes
    assert not any(code.split(".")[1].startswith(("add_", "change_", "delete_", "void_")) for code in codes)


@pytest.mark.parametrize("role", [Role.REDCROSS_CLERK, Role.MSB_STAFF, Role.CAB_TOWN, Role.CAB_VILLAGE])
def test_roles_outside_the_federation_have_no_donation_permission(role):
    assert not any(code.startswith("donations.") for code in _codes(Group.objects.get(name=role)))


def test_changes_are_recorded_with_actor_and_before_after(client, finance, auditor):
    donation = record(finance, donor=DonorFactory(name="瑞安市人民医院"))
    services.donor_update(donor=donation.donor, phone="0577-65812345", acting_user=finance)
    receipt = donation.receipts.get()
    services.receipt_void_and_reissue(receipt=receipt, reason="名称有误", acting_user=finance)

    client.force_login(auditor)
    response = client.get(reverse("audit_trail"))
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    rows = response.context["rows"]
    void_row = next(r for r in rows if r.model == "捐赠收据" and r.action == "修改")
    assert void_row.actor == "finance" and void_row.reason == "作废：名称有误"
    assert ("状态", "有效", "已作废") in void_row.changes  # choices by their labels, not their codes
    phone_row = next(r for r in rows if r.model == "捐赠方" and r.action == "修改")
    assert ("联系电话", "", mask_phone("0577-65812345")) in phone_row.changes  # masked like every list
    assert "65812345" not in response.content.decode()


def test_audit_export_is_a_logged_csv(client, finance, auditor):
    record(finance, donor=DonorFactory())
    client.force_login(auditor)
    response = client.get(reverse("audit_trail"), {"format": "csv", "model": "donations.donation"})
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(content)))
    assert rows[0][:3] == ["时间", "操作人", "对象类型"] and len(rows) == 2 and rows[1][1] == "finance"
    log = ExportLog.objects.get()
    assert log.user == auditor and log.row_count == 1 and log.what == "审计日志"


@pytest.mark.parametrize("persona", ["finance", "clerk"])
def test_non_auditors_cannot_read_the_audit_trail(request, client, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("audit_trail")).status_code == 403
    assert client.get(reverse("audit_trail"), {"format": "csv"}).status_code == 403
    assert not ExportLog.objects.exists()
