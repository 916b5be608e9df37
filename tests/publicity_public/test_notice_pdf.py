"""The printable A4 notice for a village's (or a town's) board: a Chinese PDF (the text survives,
so the CJK font is there) with the title, resolution, period, the lines, how to object, and a QR
code that opens the area's public page on the site's own address (settings.SITE_URL)."""
import io

import pytest
import zxingcpp
from pypdf import PdfReader

from assistance.publicity import notice

from .helpers import pdf_text, secrets_of

pytestmark = pytest.mark.django_db


def _get(client, publicity, region, **headers):
    return client.get(f"/publicity/{publicity.pk}/{region.code}/notice.pdf", **headers)


def test_a_village_notice_is_a_chinese_a4_pdf_with_its_lines_and_how_to_object(client, posted, regions):
    response = _get(client, posted, regions["hantian"])
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    page = PdfReader(io.BytesIO(response.content)).pages[0]
    assert (round(float(page.mediabox.width) / 72 * 25.4), round(float(page.mediabox.height) / 72 * 25.4)) == (210, 297)
    text = pdf_text(response.content)
    start, end = posted.starts_on, posted.ends_on
    for expected in ("救助名单公示", "塘下镇韩田村", posted.resolution.number,
                     f"公示期：{start.year}年{start.month}月{start.day}日至{end.year}年{end.month}月{end.day}日（共7天）",
                     "王*国", "陈*玲", "35,000.00", "21,000.00", "合计", "56,000.00", "如何提出异议", "瑞安市红十字会",
                     "20个工作日", f"/publicity/{posted.pk}/{regions['hantian'].code}/"):
        assert expected in text, expected
    assert "欧阳*峰" not in text and "林*芳" not in text


def test_the_qr_code_opens_the_villages_public_page(client, posted, regions, settings):
    settings.SITE_URL = "https://fund.example.cn"
    response = _get(client, posted, regions["hantian"])
    page = PdfReader(io.BytesIO(response.content)).pages[0]
    decoded = [code.text for image in page.images for code in zxingcpp.read_barcodes(image.image)]
    target = f"https://fund.example.cn/publicity/{posted.pk}/{regions['hantian'].code}/"
    assert decoded == [target] and target == notice.area_page_url(posted, regions["hantian"])
    assert client.get(target.removeprefix("https://fund.example.cn")).status_code == 200


def test_a_town_notice_lists_all_its_villages_lines(client, posted, regions):
    text = pdf_text(_get(client, posted, regions["tangxia"]).content)
    assert "王*国" in text and "欧阳*峰" in text and "沙渎村" in text and "84,000.00" in text and "林*芳" not in text


def test_the_notice_prints_nothing_personal(client, posted, regions):
    for key in ("hantian", "shadu", "tangxia", "xincheng", "xincheng_village"):
        text = pdf_text(_get(client, posted, regions[key]).content)
        assert [secret for secret in secrets_of(posted) if secret in text] == [], key


def test_the_notice_is_cacheable_and_answers_304_when_unchanged(client, posted, regions):
    first = _get(client, posted, regions["hantian"])
    assert "public" in first["Cache-Control"] and first["ETag"] and not first.cookies
    again = _get(client, posted, regions["hantian"], HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304


def test_the_notice_is_rendered_once_and_then_served_from_the_cache(client, posted, regions, monkeypatch):
    _get(client, posted, regions["hantian"])
    monkeypatch.setattr(notice, "pdf_render", lambda *args: pytest.fail("rendered again"))
    assert _get(client, posted, regions["hantian"]).content.startswith(b"%PDF")


def test_an_area_without_lines_has_no_notice(client, posted, regions):
    assert _get(client, posted, regions["gaolou"]).status_code == 404
