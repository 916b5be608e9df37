"""A crawl of every answer the family's view gives — the page by form and by QR link, the case
page, English, the API, the 404 and 429 pages — at every stage of a case whose person has a known
full name, ID number, phone and bank account: none of them, nor the household, costs, diagnosis,
village or any text staff wrote, appears anywhere. Only the masked name does."""
import json

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from assistance.models import PublicityEntry
from assistance.publicity.services import objection_decide, objection_submit_online

from .helpers import bank_answers, determine, export, publicity_end, reissue, secrets_of, send, sign

pytestmark = pytest.mark.django_db


def crawl(application) -> dict[str, str]:
    """Every answer about this application, by what was asked."""
    client = Client()
    number, code = application.number, application.lookup_code
    answers = {
        "form": client.post("/progress/", {"n": number, "c": code}),
        "qr": client.get("/progress/", {"n": number, "c": code}),
        "case": client.get(f"{reverse('progress:case')}?n={number}"),
        "english": client.post("/en/progress/", {"n": number, "c": code}),
        "api": client.post("/api/public/progress/", {"number": number, "code": code}),
        "wrong code": Client().post("/progress/", {"n": number, "c": "ZZZZZZZZ"}),
        "api wrong code": Client().post("/api/public/progress/", {"number": number, "code": "ZZZZZZZZ"}),
        "review refused": Client().post(reverse("progress:review"), {"n": number, "grounds": "请复核"}),
        "review empty": client.post(reverse("progress:review"), {"n": number, "grounds": ""}),
    }
    with override_settings(PROGRESS_LOOKUP_RATE="1/m"):
        blocked = Client(REMOTE_ADDR="198.51.100.9")
        blocked.post("/progress/", {"n": number, "c": "WRONG001"})
        answers["blocked"] = blocked.post("/progress/", {"n": number, "c": code})
    texts = {}
    for what, response in answers.items():
        assert response.status_code in (200, 400, 404, 429), (what, response.status_code)
        texts[what] = response.content.decode()
    api = json.loads(texts["api"])
    assert api["masked_name"] == "王*明" and "王*明" in texts["form"] and "王*明" in texts["case"]
    assert answers["blocked"].status_code == 429 and answers["wrong code"].status_code == 404
    return texts


def leaks(application, also: set[str] = frozenset()) -> list[tuple[str, str]]:
    secrets = secrets_of(application) | also
    return [(what, secret) for what, text in crawl(application).items() for secret in secrets if secret in text]


def test_nothing_personal_while_under_review_and_after_a_refusal(people, application):
    assert leaks(application) == []
    determine(people, application, eligible=False)
    assert leaks(application) == []


def test_nothing_personal_through_publicity_objection_failed_payment_reissue_and_payment(people, application,
                                                                                        scheme):
    determine(people, application)
    resolution = sign(people, scheme)
    objection = objection_submit_online(entry=PublicityEntry.objects.get(item__application=application),
                                        content="该户有车有房，王小明不应获得救助", objector_name="李四",
                                        contact="13800000000")
    assert leaks(application, also={"李四", "13800000000", "有车有房"}) == []
    objection_decide(objection=objection, acting_user=people.cab_town, upheld=False, reason="经核查该户无车无房产")
    assert leaks(application, also={"李四", "13800000000", "无车无房产"}) == []
    publicity_end(resolution)
    payout = send(people, resolution).payouts.get()
    bank_answers(people, payout, "失败", "账号 6228480099887766554 不存在")
    assert leaks(application) == []
    again = reissue(people, payout)
    bank_answers(people, export(people, again))
    assert "救助金 ¥35,000.00 已到账" in crawl(application)["form"]
    assert leaks(application) == []
