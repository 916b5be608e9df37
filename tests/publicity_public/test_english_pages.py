"""English 公示 pages through the i18n prefix, as the statements: /en/publicity/… answers in the
English frame (lang="en") with a link to the same page in Chinese, and the Chinese pages link to it.

The page strings are wrapped for translation but the English catalogue is built by the lead after
merging (no makemessages here), so these tests check the structure, not the words."""
import re

import pytest

from .helpers import body, pdf_text

pytestmark = pytest.mark.django_db


def _pages(publicity, regions):
    return ["/publicity/", f"/publicity/{publicity.pk}/", f"/publicity/{publicity.pk}/{regions['hantian'].code}/",
            f"/publicity/{publicity.pk}/{regions['tangxia'].code}/", f"/publicity/{publicity.pk}/lines/2/objection/",
            "/publicity/objection/"]


def test_english_pages_are_english_and_link_back_to_chinese(client, posted, regions):
    for path in _pages(posted, regions):
        response = client.get(f"/en{path}")
        assert response.status_code == 200, path
        html = body(response)
        assert re.search(r'<html lang="en"', html), path
        assert f'href="{path}" lang="zh-hans" hreflang="zh-hans"' in html, path
        assert 'href="/en/publicity/' in html or path == "/publicity/objection/", path  # links stay in English


def test_chinese_pages_link_to_english(client, posted, regions):
    for path in _pages(posted, regions):
        html = body(client.get(path))
        assert '<html lang="zh-hans"' in html and f'href="/en{path}" lang="en" hreflang="en"' in html, path


def test_the_english_page_shows_the_same_lines_and_its_notice_stays_chinese(client, posted, regions):
    html = body(client.get(f"/en/publicity/{posted.pk}/{regions['hantian'].code}/"))
    assert "王*国" in html and "35,000.00" in html
    assert f'href="/en/publicity/{posted.pk}/{regions["hantian"].code}/notice.pdf"' in html
    text = pdf_text(client.get(f"/en/publicity/{posted.pk}/{regions['hantian'].code}/notice.pdf").content)
    assert "救助名单公示" in text and f"/publicity/{posted.pk}/{regions['hantian'].code}/" in text
    assert "/en/" not in text  # printed paper points at the default-language page
