"""A permission is named the way people read it wherever staff see one — the user and group
permission pickers, a reader's view of a role, the history pages and the audit trail: "收支公示 ·
可查看", never Django's stored English ("auth | 组 | Can view historical 收支公示")."""
import re

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse
from django.utils import translation

from fundportal.permission_labels import permission_label
from fundportal.roles import Role

pytestmark = pytest.mark.django_db

ENGLISH = re.compile(r"Can (view|add|change|delete)|historical |content type|chain head")


def _perm(codename: str, app_label: str) -> Permission:
    return Permission.objects.get(codename=codename, content_type__app_label=app_label)


def test_every_permission_is_named_in_chinese_with_its_models_name():
    with translation.override("zh-hans"):
        labels = {permission_label(p) for p in Permission.objects.all()}
        assert _perm("view_historicalstatement", "disclosure") and "收支公示（历史记录） · 可查看" in labels
        assert "收支公示 · 可发布收支公示" in labels and "导出记录 · 可查看并导出审计日志" in labels
        assert "组的权限（历史记录） · 可查看" in labels
    english = sorted(label for label in labels if ENGLISH.search(label) or not re.search(r"[\u4e00-\u9fff]", label))
    assert english == []


def test_the_permission_pickers_of_users_and_roles_name_permissions_in_chinese(client, admin_user, auditor):
    client.force_login(admin_user)
    role = Group.objects.get(name=Role.AUDITOR)
    for url in (reverse("admin:auth_group_change", args=[role.pk]), reverse("admin:auth_group_add"),
                reverse("admin:fundportal_user_change", args=[auditor.pk])):
        page = client.get(url).content.decode()
        assert "收支公示（历史记录） · 可查看" in page, url
        assert not ENGLISH.search(page), (url, ENGLISH.search(page))


def test_a_reader_of_a_role_sees_its_permissions_named_in_chinese(client, auditor):
    role = Group.objects.get(name=Role.AUDITOR)
    role.permissions.add(_perm("view_historicalstatement", "disclosure"))
    auditor.user_permissions.add(_perm("view_chainhead", "disclosure"))
    client.force_login(auditor)
    page = client.get(reverse("admin:auth_group_change", args=[role.pk])).content.decode()
    assert "收支公示（历史记录） · 可查看" in page and not ENGLISH.search(page)
    page = client.get(reverse("admin:fundportal_user_change", args=[auditor.pk])).content.decode()
    assert "公示哈希链链头 · 可查看" in page and not ENGLISH.search(page)


def test_history_and_the_audit_trail_name_permissions_in_chinese(client, admin_user, auditor):
    role = Group.objects.get(name=Role.AUDITOR)
    grant = _perm("add_historicalstatement", "disclosure")
    client.force_login(admin_user)
    data = {"name": role.name, "permissions": [*role.permissions.values_list("pk", flat=True), grant.pk]}
    assert client.post(reverse("admin:auth_group_change", args=[role.pk]), data).status_code == 302
    client.force_login(auditor)
    history = client.get(reverse("admin:auth_group_history", args=[role.pk])).content.decode()
    assert "收支公示（历史记录） · 可新增" in history and not ENGLISH.search(history)
    trail = client.get(reverse("audit_trail"), {"model": "auth.group"})
    assert "收支公示（历史记录） · 可新增" in trail.content.decode() and not ENGLISH.search(trail.content.decode())
    csv = b"".join(client.get(reverse("audit_trail"), {"model": "auth.group", "format": "csv"}).streaming_content)
    assert "收支公示（历史记录） · 可新增" in csv.decode("utf-8-sig")
