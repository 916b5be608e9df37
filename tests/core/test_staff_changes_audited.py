"""What staff may do is audited like money: a change of a user's groups (roles), permissions,
superuser, staff or active status is in the audit trail and on the user's history page with its
before and after, under the name of who made it; and a reader of a staff member's page sees their
contact and bank details masked, as everywhere else."""
import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from fundportal.masking import mask_bank_account, mask_email, mask_phone
from fundportal.models import User
from fundportal.roles import Role
from tests.fixtures.personas import make_user

pytestmark = pytest.mark.django_db

PHONE, NEW_PHONE, ACCOUNT, EMAIL = "13700001111", "13900002222", "6228480012345673256", "lin.kezhang@mz.gov.cn"


@pytest.fixture
def council(db):
    return make_user("council", Role.COUNCIL_SECRETARY, first_name="理事会 陈秘书", phone=PHONE, bank_account=ACCOUNT,
                     email=EMAIL)


def _form(user, **changes) -> dict:
    data = {"username": user.username, "first_name": user.first_name, "last_name": "", "email": user.email,
            "is_active": "on", "is_staff": "on", "groups": [g.pk for g in user.groups.all()], "user_permissions": [],
            "date_joined_0": "2024-01-01", "date_joined_1": "08:00:00", "region": "", "organisation": "",
            "phone": user.phone, "bank_account": user.bank_account, "_save": "1"}
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def _label(name: str) -> str:
    return str(User._meta.get_field(name).verbose_name)


def _csv(client) -> str:
    response = client.get(reverse("audit_trail"), {"format": "csv", "model": "fundportal.user"})
    return b"".join(response.streaming_content).decode("utf-8-sig")


def test_a_change_of_groups_through_the_user_form_is_audited_with_before_and_after(client, admin_user, auditor,
                                                                                  council):
    client.force_login(admin_user)
    response = client.post(reverse("admin:fundportal_user_change", args=[council.pk]),
                           _form(council, groups=[], phone=NEW_PHONE))
    assert response.status_code == 302
    assert not council.groups.exists()

    client.force_login(auditor)
    rows = [r for r in client.get(reverse("audit_trail"), {"model": "fundportal.user"}).context["rows"]
            if r.actor == str(admin_user)]
    changes = [c for r in rows for c in r.changes]
    assert (_label("groups"), "理事会秘书", "") in changes
    assert (_label("phone"), mask_phone(PHONE), mask_phone(NEW_PHONE)) in changes
    assert f"{_label('groups')}: 理事会秘书 → " in _csv(client)
    history = client.get(reverse("admin:fundportal_user_history", args=[council.pk])).content.decode()
    assert "理事会秘书" in history and NEW_PHONE not in history


def test_superuser_staff_and_active_changes_are_audited_by_label(client, admin_user, auditor, council):
    client.force_login(admin_user)
    client.post(reverse("admin:fundportal_user_change", args=[council.pk]),
                _form(council, is_superuser="on", is_active=None))
    council.refresh_from_db()
    assert council.is_superuser and not council.is_active
    client.force_login(auditor)
    changes = [c for r in client.get(reverse("audit_trail"), {"model": "fundportal.user"}).context["rows"]
               for c in r.changes]
    assert (_label("is_superuser"), "否", "是") in changes and (_label("is_active"), "是", "否") in changes


def test_a_role_granted_in_code_is_audited_too(council):
    council.groups.add(Group.objects.get(name=Role.AUDITOR))
    latest = council.history.latest("history_id")
    older = latest.prev_record
    delta = latest.diff_against(older)
    assert [c.field for c in delta.changes] == ["groups"]


def test_a_reader_sees_a_staff_members_contact_and_bank_details_masked(client, auditor, admin_user, council):
    url = reverse("admin:fundportal_user_change", args=[council.pk])
    client.force_login(auditor)
    page = client.get(url).content.decode()
    for raw in (PHONE, ACCOUNT, EMAIL, "lin.kezhang"):
        assert raw not in page, raw
    for masked in (mask_phone(PHONE), mask_bank_account(ACCOUNT), mask_email(EMAIL)):
        assert masked in page
    client.force_login(admin_user)  # whoever may change the user sees the details whole, to correct them
    page = client.get(url).content.decode()
    assert f'value="{PHONE}"' in page and f'value="{ACCOUNT}"' in page and f'value="{EMAIL}"' in page


def test_the_row_written_when_roles_start_being_audited_is_a_baseline_not_a_grant(client, auditor, council):
    from django.apps import apps as django_apps
    from django.db import connection

    from fundportal.migration_utils import HISTORY_STARTED, history_snapshot

    # Before migration 0007 a user's history rows held no groups: as if kept without them.
    for record in council.history.all():
        record.groups.all().delete()
    with connection.schema_editor() as editor:
        history_snapshot("fundportal.User", "fundportal.HistoricalUser", m2m=("groups",)).code(django_apps, editor)
    baseline = council.history.latest("history_id")
    assert baseline.history_change_reason == HISTORY_STARTED
    assert list(baseline.groups.values_list("group__name", flat=True)) == [Role.COUNCIL_SECRETARY]

    client.force_login(auditor)
    rows = [r for r in client.get(reverse("audit_trail"), {"model": "fundportal.user"}).context["rows"]
            if r.object_id == str(council.pk)]
    assert rows[0].reason == HISTORY_STARTED and rows[0].changes == []  # no "组：→ 理事会秘书"
    history = client.get(reverse("admin:fundportal_user_history", args=[council.pk])).content.decode()
    assert "→ 理事会秘书" not in history


def test_a_change_of_what_a_role_may_do_is_audited(client, admin_user, auditor):
    from django.contrib.auth.models import Permission

    from fundportal.permission_labels import permission_label

    role = Group.objects.get(name=Role.AUDITOR)
    grant = Permission.objects.get(codename="view_apitoken")
    client.force_login(admin_user)
    data = {"name": role.name, "permissions": [*role.permissions.values_list("pk", flat=True), grant.pk]}
    assert client.post(reverse("admin:auth_group_change", args=[role.pk]), data).status_code == 302
    client.force_login(auditor)
    rows = client.get(reverse("audit_trail"), {"model": "auth.group"}).context["rows"]
    change = next(c for r in rows if r.actor == str(admin_user) for c in r.changes)
    assert change.field == str(Group._meta.get_field("permissions").verbose_name)
    assert permission_label(grant) in change.new and permission_label(grant) not in change.old
