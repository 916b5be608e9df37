"""The public 公示 pages: the list (current first, with counts), one 公示 with its towns, a town's
and a village's lines (only theirs), the period computed and shown, how to object, cache headers
fit for public pages, and nothing the statements would not show."""
import datetime as dt

import pytest
from django.utils import timezone

from assistance.publicity.services import objection_decide, objection_submit_online
from tests.fixtures.factories import PublicityFactory

from .helpers import body, visible

pytestmark = pytest.mark.django_db


def _entry(publicity, name_start):
    return publicity.entries.get(shown_name__startswith=name_start)


def test_the_list_shows_each_publicity_with_its_period_size_and_objection_counts(client, posted, cab_city):
    objection_decide(objection=objection_submit_online(entry=_entry(posted, "王"), content="该户有经营性车辆，条件较好"),
                     acting_user=cab_city, upheld=False, reason="经核查车辆为他人所有，异议不成立")
    objection_submit_online(entry=_entry(posted, "陈"), content="该户子女在外地经商，收入较高")
    response = client.get("/publicity/")
    assert response.status_code == 200
    text = visible(body(response))
    assert posted.resolution.number in text and "公示中" in text
    assert f"{posted.starts_on:%Y-%m-%d} — {posted.ends_on:%Y-%m-%d}" in text and "4 人" in text
    assert "收到异议 2 件：成立 0，不成立 1，办理中 1" in text


def test_current_publicities_come_first(client, posted):
    old = PublicityFactory(ends_on=timezone.localdate() - dt.timedelta(days=30))
    html = body(client.get("/publicity/"))
    assert html.index(f"/publicity/{posted.pk}/") < html.index(f"/publicity/{old.pk}/")


def test_one_publicity_lists_its_towns_and_villages_with_counts_and_totals(client, posted, regions):
    response = client.get(f"/publicity/{posted.pk}/")
    assert response.status_code == 200
    html = body(response)
    for key in ("tangxia", "hantian", "shadu", "xincheng", "xincheng_village"):
        assert f"/publicity/{posted.pk}/{regions[key].code}/" in html, key
    text = visible(html)
    assert "塘下镇 全部 3 84,000.00" in text and "韩田村 2 56,000.00" in text and "东风社区 1 14,000.00" in text
    assert f"{posted.starts_on:%Y-%m-%d} 至 {posted.ends_on:%Y-%m-%d}（7 天）" in text


def test_a_village_page_shows_only_its_own_lines(client, posted, regions):
    response = client.get(f"/publicity/{posted.pk}/{regions['hantian'].code}/")
    assert response.status_code == 200
    text = visible(body(response))
    assert "2 王*国 提出异议 低保对象 35,000.00" in text and "3 陈*玲 提出异议 低保对象 21,000.00" in text
    assert "林*芳" not in text and "欧阳*峰" not in text and "沙渎村" not in text


def test_a_town_page_shows_its_villages_lines_and_not_other_towns(client, posted, regions):
    text = visible(body(client.get(f"/publicity/{posted.pk}/{regions['tangxia'].code}/")))
    assert "王*国" in text and "陈*玲" in text and "欧阳*峰 提出异议 沙渎村" in text and "林*芳" not in text
    assert "按村（社区）： 韩田村 · 沙渎村" in text


def test_the_area_page_shows_the_period_how_to_object_and_the_counts(client, posted, regions):
    objection_submit_online(entry=_entry(posted, "王"), content="该户有经营性车辆，条件较好")
    html = body(client.get(f"/publicity/{posted.pk}/{regions['hantian'].code}/"))
    text = visible(html)
    assert f"{posted.starts_on:%Y-%m-%d} 至 {posted.ends_on:%Y-%m-%d}（7 天）" in text
    assert "如何提出异议" in text and "瑞安市红十字会" in text and "村（社区）委员会" in text
    assert "20 个工作日" in text
    assert "收到异议 1" in text and "正在办理 1" in text
    line = _entry(posted, "王").line
    assert f"/publicity/{posted.pk}/lines/{line}/objection/" in html
    assert f"/publicity/{posted.pk}/{regions['hantian'].code}/notice.pdf" in html


def test_after_the_period_no_objection_link_is_offered(client, ended, regions):
    html = body(client.get(f"/publicity/{ended.pk}/{regions['hantian'].code}/"))
    assert "/objection/\"" not in html.replace("/publicity/objection/", "")
    assert "异议期已于" in visible(html)


@pytest.mark.parametrize("url", ["/publicity/999999/", "/publicity/{pk}/330381105000/", "/publicity/{pk}/999999999999/",
                                 "/publicity/{pk}/330381000000/", "/publicity/{pk}/lines/99/objection/"])
def test_what_is_not_in_a_publicity_is_a_404(client, posted, url):
    assert client.get(url.format(pk=posted.pk)).status_code == 404  # 高楼镇 has no line; the city is no area


def test_reading_pages_are_public_and_cacheable_and_set_no_cookie(client, posted, regions):
    for url in ("/publicity/", f"/publicity/{posted.pk}/", f"/publicity/{posted.pk}/{regions['hantian'].code}/"):
        response = client.get(url)
        assert "public" in response["Cache-Control"] and "max-age=60" in response["Cache-Control"], url
        assert not response.cookies, url
        assert "Cookie" not in response.get("Vary", ""), url


def test_the_lists_read_in_a_fixed_number_of_queries(client, posted, regions, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        client.get(f"/publicity/{posted.pk}/{regions['tangxia'].code}/")
    with django_assert_max_num_queries(6):
        client.get("/publicity/")


def test_a_line_whose_objection_was_upheld_says_its_payment_was_stopped(client, posted, regions, cab_town):
    """The public sees the objection was handled: the line stays as posted, marked stopped."""
    entry = posted.entries.get(line=2)
    objection = objection_submit_online(entry=entry, content="该户家中新购小轿车一辆，条件不像困难户")
    objection_decide(objection=objection, acting_user=cab_town, upheld=True, reason="经入户核查，家庭收入超过标准")
    text = visible(body(client.get(f"/publicity/{posted.pk}/{regions['hantian'].code}/")))
    assert "2 王*国 异议成立，停止发放" in text and "3 陈*玲 提出异议 低保对象" in text
    english = visible(body(client.get(f"/en/publicity/{posted.pk}/{regions['hantian'].code}/")))
    assert "Objection upheld: payment stopped" in english
