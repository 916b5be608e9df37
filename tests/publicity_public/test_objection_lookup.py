"""The objector follows an objection with its number and code: the state, and once decided the
outcome (成立/不成立) and its reason; never the family's data beyond the masked line already public,
nor what the objector or the investigators wrote. A wrong code is answered exactly as a missing
number, and failed look-ups are limited (page and API share one count); a right code does not count."""
import re

import pytest
from django.test import override_settings

from assistance.publicity.services import objection_decide, objection_investigate, objection_submit_online

from .helpers import body, secrets_of, visible

pytestmark = pytest.mark.django_db
URL = "/publicity/objection/"
API = "/api/public/publicity/objections/lookup/"


@pytest.fixture
def objection(posted):
    entry = posted.entries.get(shown_name="王*国")
    return objection_submit_online(entry=entry, content="该户家中有经营性货车两辆，经济条件较好",
                                   objector_name="张举报", contact="13900001111")


def test_an_open_objection_shows_its_state_and_deadline(client, objection):
    response = client.post(URL, {"n": objection.number, "c": objection.lookup_code})
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    text = visible(body(response))
    assert "待核查" in text and f"{objection.due_on:%Y-%m-%d}" in text and "正在核查" in text
    assert "王*国" in text and "处理结果" not in text and "异议不成立" not in text


def test_a_decided_objection_shows_its_outcome_and_reason_and_nothing_private(client, objection, posted, cab_city,
                                                                              cab_town):
    objection_investigate(objection=objection, acting_user=cab_town, investigation="入户核查：货车登记在其弟名下，已分户")
    objection_decide(objection=objection, acting_user=cab_city, upheld=False,
                     reason="经核查，两辆货车登记在其弟名下，其弟已分户，该户符合救助条件")
    text = visible(body(client.post(URL, {"n": objection.number.lower(), "c": f" {objection.lookup_code.lower()} "})))
    assert "异议不成立" in text and "其弟已分户，该户符合救助条件" in text
    for private in ("入户核查", "张举报", "13900001111", "经营性货车", *secrets_of(posted)):
        assert private not in text, private


def test_an_upheld_objection_says_so(client, objection, cab_city):
    objection_decide(objection=objection, acting_user=cab_city, upheld=True, reason="经核查该户已有稳定收入，停止发放")
    text = visible(body(client.post(URL, {"n": objection.number, "c": objection.lookup_code})))
    assert "异议成立" in text and "停止发放" in text


def _strip(response, *numbers):
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", body(response))
    for number in numbers:
        html = html.replace(number, "N")
    return html


def test_a_wrong_code_looks_exactly_like_a_missing_number(client, objection):
    wrong = client.post(URL, {"n": objection.number, "c": "ZZZZZZZZ"})
    missing = client.post(URL, {"n": "YY202399999", "c": "ZZZZZZZZ"})
    assert wrong.status_code == missing.status_code == 404
    assert _strip(wrong, objection.number, "YY202399999") == _strip(missing, objection.number, "YY202399999")
    assert "未找到与该编号和查询码匹配的异议" in body(wrong) and "王*国" not in body(wrong)


def test_an_empty_form_is_a_chinese_400_that_counts_nothing(client, objection):
    response = client.post(URL, {"n": "", "c": ""})
    assert response.status_code == 400 and "请填写异议编号" in body(response) and "请填写查询码" in body(response)


@override_settings(PROGRESS_LOOKUP_RATE="3/m")
def test_failed_lookups_are_limited_even_for_a_right_code_and_right_codes_do_not_count(client, objection):
    for _ in range(5):  # a right code is refunded: the objector may look as often as they like
        assert client.post(URL, {"n": objection.number, "c": objection.lookup_code}).status_code == 200
    assert [client.post(URL, {"n": objection.number, "c": f"WRONG{n:03d}"}).status_code for n in range(3)] \
        == [404, 404, 404]
    blocked = client.post(URL, {"n": objection.number, "c": objection.lookup_code})
    assert blocked.status_code == 429 and "尝试次数过多" in body(blocked) and "待核查" not in body(blocked)


@override_settings(PROGRESS_LOOKUP_RATE="3/m")
def test_page_and_api_share_one_count(client, objection):
    client.post(URL, {"n": objection.number, "c": "WRONG001"})
    client.post(API, {"number": objection.number, "code": "WRONG002"}, content_type="application/json")
    client.post(API, {"number": "YY202399999", "code": "WRONG003"}, content_type="application/json")
    assert client.post(URL, {"n": objection.number, "c": objection.lookup_code}).status_code == 429
    response = client.post(API, {"number": objection.number, "code": objection.lookup_code},
                           content_type="application/json")
    assert response.status_code == 429 and response.json() == {"detail": "尝试次数过多，请稍后再试"}


def test_the_lookup_form_page_is_never_cached(client):
    response = client.get(URL)
    assert response.status_code == 200 and "no-cache" in response["Cache-Control"]
    assert "异议编号" in body(response) and "查询码" in body(response)
