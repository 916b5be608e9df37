"""The desks linked from a header read as separate links in every header that shows them — the
workspace's ran together ("管理后台我的 API 令牌API 文档信息公开")."""
import re

import pytest
from django.urls import reverse
from django.utils.html import strip_tags

pytestmark = pytest.mark.django_db


def _desk_text(html: str) -> tuple[str, list[str]]:
    start = html.index('<span class="desk-links">')
    block = html[start:html.index("</span>", start)]
    return strip_tags(block), [strip_tags(label) for label in re.findall(r"<a [^>]*>(.*?)</a>", block)]


def test_the_workspace_header_separates_its_desk_links(client, clerk):
    client.force_login(clerk)
    text, labels = _desk_text(client.get(reverse("workspace:home")).content.decode())
    assert len(labels) >= 3
    assert text == " / ".join(labels)


def test_the_admin_header_separates_its_desk_links_from_each_other_and_from_djangos(client, clerk):
    client.force_login(clerk)
    text, labels = _desk_text(client.get(reverse("admin:index")).content.decode())
    assert len(labels) >= 3
    assert text == " / ".join(labels) + " / "  # Django's 修改密码 / 注销 follow
