"""The look-up: number and code (or the slip's QR link) show the case; a wrong code and a missing
number get the same 404, page and API; only failures count, page and API together, and past the
limit even a right code is refused (429); the case page and the review form need a browser that
proved the code; English under /en/; the clerk's slip carries the code and the QR code."""
import re

import pytest
from django.test import override_settings
from django.urls import reverse

from fundportal.lookups import code_matches, public_link
from fundportal.pdf import qr_svg_data_uri
from fundportal.roles import Role
from tests.fixtures.personas import make_user

from .helpers import page_text

pytestmark = pytest.mark.django_db
URL = "/progress/"
API = "/api/public/progress/"


def test_number_and_code_show_the_case_and_nobody_keeps_it(client, application):
    response = client.post(URL, {"n": application.number.lower(), "c": f" {application.lookup_code.lower()} "})
    assert response.status_code == 200 and "no-cache" in response["Cache-Control"]
    text = response.content.decode()
    assert application.number in text and "王*明" in text and "民政部门正在核查认定家庭情况" in text


def test_the_slips_qr_link_shows_the_case(client, application):
    response = client.get(URL, {"n": application.number, "c": application.lookup_code})
    assert response.status_code == 200 and 'data-step="eligibility"' in response.content.decode()


def test_a_wrong_code_looks_exactly_like_a_missing_number(client, application):
    wrong = client.post(URL, {"n": application.number, "c": "ZZZZZZZZ"})
    missing = client.post(URL, {"n": "SQ202399999", "c": "ZZZZZZZZ"})
    assert wrong.status_code == missing.status_code == 404

    def strip(response):
        return page_text(response).replace(application.number, "N").replace("SQ202399999", "N")

    assert strip(wrong) == strip(missing) and "王*明" not in strip(wrong)
    assert "未找到与该申请编号和查询码匹配的申请" in strip(wrong)


def test_an_application_with_no_code_is_never_found(client, application):
    from assistance.models import Application

    Application.objects.filter(pk=application.pk).update(lookup_code="")
    assert client.post(URL, {"n": application.number, "c": "-"}).status_code == 404
    assert not code_matches("", "") and not code_matches(None, "ABCDEFGH") and code_matches("ABCD2345", "abcd 2345")


@override_settings(PROGRESS_LOOKUP_RATE="5/m")
def test_failures_are_rate_limited_even_for_a_right_code_and_the_api_shares_the_count(client, application):
    for attempt in range(3):
        assert client.post(URL, {"n": application.number, "c": f"WRONG{attempt:03d}"}).status_code == 404
    for attempt in range(2):
        assert client.post(API, {"number": application.number, "code": f"BAD{attempt:05d}"}).status_code == 404
    blocked = client.post(URL, {"n": application.number, "c": application.lookup_code})
    assert blocked.status_code == 429 and "尝试次数过多" in blocked.content.decode() and "王*明" not in blocked.content.decode()
    api = client.post(API, {"number": application.number, "code": application.lookup_code})
    assert api.status_code == 429 and "masked_name" not in api.json()


@override_settings(PROGRESS_LOOKUP_RATE="3/m")
def test_a_right_code_does_not_count(client, application):
    for _ in range(6):  # a family checking its case again and again is never blocked
        assert client.post(URL, {"n": application.number, "c": application.lookup_code}).status_code == 200
    assert client.post(API, {"number": application.number, "code": application.lookup_code}).status_code == 200


def test_the_api_answers_the_same_steps_and_hides_existence_the_same_way(client, application):
    ok = client.post(API, {"number": application.number, "code": application.lookup_code}, content_type="application/json")
    assert ok.status_code == 200 and ok["Cache-Control"] == "no-store"
    body = ok.json()
    assert (body["number"], body["masked_name"], body["current"], body["amount"]) == (
        application.number, "王*明", "eligibility", None)
    assert [s["key"] for s in body["steps"]] == ["submitted", "eligibility", "costing", "resolution", "publicity",
                                                 "payout", "paid"]
    assert body["steps"][1] == {"key": "eligibility", "title": "资格审核", "status": "current", "date": None,
                                "note": "民政部门正在核查认定家庭情况", "needed": ""}
    assert set(body["review"]) == {"can_ask", "refusal", "appeals"}
    wrong = client.post(API, {"number": application.number, "code": "ZZZZZZZZ"})
    missing = client.post(API, {"number": "SQ202399999", "code": "ZZZZZZZZ"})
    assert wrong.status_code == missing.status_code == 404 and wrong.json() == missing.json()
    assert client.post(API, {"number": application.number}).status_code == 400
    assert client.post(API, {"number": "X" * 200, "code": "Y" * 200}).status_code == 400


def test_the_case_page_and_the_review_form_need_a_browser_that_proved_the_code(client, application):
    case_url = f"{reverse('progress:case')}?n={application.number}"
    assert client.get(case_url)["Location"] == reverse("progress:lookup")
    refused = client.post(reverse("progress:review"), {"n": application.number, "grounds": "请求复核我家的认定结果"})
    assert refused.status_code == 404 and "王*明" not in refused.content.decode()
    client.post(URL, {"n": application.number, "c": application.lookup_code})
    assert client.get(case_url).status_code == 200 and "王*明" in client.get(case_url).content.decode()


def test_the_page_in_english(client, application):
    assert 'lang="en"' in client.get("/en/progress/").content.decode()
    response = client.post("/en/progress/", {"n": application.number, "c": application.lookup_code})
    assert response.status_code == 200 and application.number in response.content.decode()


def test_the_clerks_slip_carries_the_code_the_page_and_its_qr_code(client, clerk, application, settings):
    settings.SITE_URL = "https://fund.example.cn"
    client.force_login(clerk)
    text = client.get(reverse("workspace:slip", args=[application.number])).content.decode()
    assert application.lookup_code in text and "请凭申请编号和查询码查询办理进度" in text
    assert "https://fund.example.cn/progress/" in text
    link = f"https://fund.example.cn/progress/?n={application.number}&c={application.lookup_code}"
    assert public_link("progress:lookup", n=application.number, c=application.lookup_code) == link
    qr = re.search(r'<img src="(data:image/svg\+xml[^"]+)"', text).group(1)
    assert qr == qr_svg_data_uri(link)  # the QR code of exactly that link (segno is deterministic)


def test_another_clerks_slip_stays_hidden(client, application):
    other = make_user("clerk2", Role.REDCROSS_CLERK)
    client.force_login(other)
    assert client.get(reverse("workspace:slip", args=[application.number])).status_code == 404
