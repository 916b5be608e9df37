"""Objecting online to one line of a 公示, no login: the form, what a bad submission keeps, the
refusal after the period, the rate limit (a clear 429 that keeps what was typed), and the number
and code shown once after the redirect (never in a URL)."""
import re

import pytest
from django.test import Client, override_settings

from assistance.models import Objection

from .helpers import body, visible

pytestmark = pytest.mark.django_db
REASON = "该户家中有经营性货车两辆，经济条件较好，不应救助"


def _line(publicity, name_start="王"):
    return publicity.entries.get(shown_name__startswith=name_start).line


def _url(publicity, line):
    return f"/publicity/{publicity.pk}/lines/{line}/objection/"


def test_the_form_shows_the_line_objected_to_and_sets_no_store(client, posted):
    response = client.get(_url(posted, _line(posted)))
    assert response.status_code == 200
    text = visible(body(response))
    assert "王*国" in text and "韩田村" in text and "35,000.00" in text and "提交异议" in text
    assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]
    assert 'name="csrfmiddlewaretoken"' in body(response)


def test_an_objection_is_filed_and_its_number_and_code_are_shown_once(client, posted):
    response = client.post(_url(posted, _line(posted)), {"content": REASON, "objector_name": "张先生",
                                                        "contact": "13900000000"})
    assert response.status_code == 302 and response["Location"] == "/publicity/objection/filed/"
    objection = Objection.objects.get()
    assert (objection.entry.line, objection.content, objection.objector_name, objection.contact, objection.channel) \
        == (_line(posted), REASON, "张先生", "13900000000", "online")
    assert objection.recorded_by is None and objection.region.name == "韩田村"
    filed = client.get(response["Location"])
    text = visible(body(filed))
    assert objection.number in text and objection.lookup_code in text and "请记下" in text
    assert f"{objection.due_on:%Y-%m-%d}" in text and "no-store" in filed["Cache-Control"]
    assert objection.lookup_code not in response["Location"]


def test_the_filed_page_without_a_filing_goes_to_the_lookup(client):
    response = client.get("/publicity/objection/filed/")
    assert response.status_code == 302 and response["Location"] == "/publicity/objection/"


@pytest.mark.parametrize("data, message", [
    ({"content": "太少"}, "异议内容至少 5 个字，当前 2 个字"),
    ({"content": "   "}, "请填写异议内容（至少 5 个字）"),
    ({"content": "很" * 501}, "异议内容最多 500 个字，当前 501 个字"),
    ({"content": REASON, "objector_name": "名" * 51}, "姓名最多 50 个字，当前 51 个字"),
    ({"content": REASON, "contact": "1" * 51}, "联系方式最多 50 个字，当前 51 个字"),
])
def test_bad_input_is_refused_in_chinese_and_what_was_typed_is_shown_again(client, posted, data, message):
    data = {"objector_name": "李女士", "contact": "村东头小卖部", **data}
    response = client.post(_url(posted, _line(posted)), data)
    assert response.status_code == 400
    html = body(response)
    assert message in html
    for value in data.values():
        if value.strip():
            assert value in html  # nothing lost
    assert Objection.objects.count() == 0


def test_after_the_period_the_form_is_not_offered_and_a_post_is_refused(client, ended):
    url = _url(ended, _line(ended))
    page = visible(body(client.get(url)))
    assert "不在异议期内" in page and "提交异议" not in page
    response = client.post(url, {"content": REASON})
    assert response.status_code == 400
    html = body(response)
    assert "现在不在异议期内，不能在网上提出异议" in html and REASON in html
    assert Objection.objects.count() == 0


@override_settings(OBJECTION_RATE="2/h")
def test_submissions_are_rate_limited_with_a_clear_429_that_keeps_the_text(posted):
    client = Client()
    url = _url(posted, _line(posted))
    assert [client.post(url, {"content": f"{REASON}{n}"}).status_code for n in range(2)] == [302, 302]
    blocked = client.post(url, {"content": REASON + "第三次"})
    assert blocked.status_code == 429
    html = body(blocked)
    assert "提交过于频繁" in html and REASON + "第三次" in html
    assert Objection.objects.count() == 2
    # Another address is another client.
    assert Client(REMOTE_ADDR="10.1.2.3").post(url, {"content": REASON}).status_code == 302


@override_settings(OBJECTION_RATE="1/h")
def test_a_refused_submission_does_not_use_up_the_limit(client, ended, posted):
    url = _url(ended, _line(ended))
    for _ in range(3):
        assert client.post(url, {"content": REASON}).status_code == 400  # after the period: nothing filed


def test_the_form_needs_its_csrf_token(posted):
    client = Client(enforce_csrf_checks=True)
    response = client.post(_url(posted, _line(posted)), {"content": REASON})
    assert response.status_code == 403 and Objection.objects.count() == 0
    page = client.get(_url(posted, _line(posted)))
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body(page)).group(1)
    assert client.post(_url(posted, _line(posted)), {"content": REASON, "csrfmiddlewaretoken": token}).status_code \
        == 302


def test_an_objection_of_invisible_characters_is_refused_through_the_api(client, posted):
    """Ten zero-width spaces once filed an objection and held a family's payment."""
    response = client.post(f"/api/public/publicity/{posted.pk}/objections/",
                           {"line": _line(posted), "content": "\u200b" * 20}, content_type="application/json")
    assert response.status_code == 400 and "至少 5 个字" in response.content.decode()
    assert not Objection.objects.exists()
