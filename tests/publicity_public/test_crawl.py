"""A crawl of every public 公示 page, API answer and notice PDF, in both languages, for a 公示 whose
families have known full names, ID numbers, phones and bank accounts, with objections filed and
decided: none of the families' data appears anywhere, nor the objectors' names and contacts, nor
what the investigators wrote (as the demo's crawl of the statements, tests/test_demo.py)."""
import pytest
from django.test import Client

from assistance.publicity.services import objection_decide, objection_investigate, objection_submit_online

from .helpers import body, pdf_text, secrets_of

pytestmark = pytest.mark.django_db
OBJECTOR = ("赵检举", "13600009999")
INVESTIGATION = "入户核查：家有两辆货车，登记在户主王建国名下"


@pytest.fixture
def objections(posted, cab_city, cab_town):
    entries = {entry.line: entry for entry in posted.entries.all()}
    decided = objection_submit_online(entry=entries[2], content="该户有两辆经营性货车", objector_name=OBJECTOR[0],
                                      contact=OBJECTOR[1])
    objection_investigate(objection=decided, acting_user=cab_town, investigation=INVESTIGATION)
    objection_decide(objection=decided, acting_user=cab_city, upheld=True, reason="经核查属实，停止发放")
    waiting = objection_submit_online(entry=entries[4], content="该户已迁出本村多年", contact="微信 zhao")
    return decided, waiting


def _crawl(client, publicity, objections) -> dict[str, str]:
    from fundportal.models import Region

    codes = list(Region.objects.filter(level__in=["town", "village"]).values_list("code", flat=True))
    pages = ["/publicity/", f"/publicity/{publicity.pk}/", "/publicity/objection/"]
    pages += [f"/publicity/{publicity.pk}/{code}/" for code in codes]
    pages += [f"/publicity/{publicity.pk}/lines/{line}/objection/" for line in range(1, 6)]
    found = {}
    for path in pages:
        for url in (path, f"/en{path}"):
            response = client.get(url)
            assert response.status_code in (200, 404), url
            found[url] = body(response)
    for code in codes:
        response = client.get(f"/publicity/{publicity.pk}/{code}/notice.pdf")
        if response.status_code == 200:
            found[f"notice {code}"] = pdf_text(response.content)
    api = "/api/public/publicity/"
    for url in (api, f"{api}{publicity.pk}/entries/", *(f"{api}{publicity.pk}/entries/?region={c}" for c in codes)):
        found[url] = body(client.get(url))
    for objection in objections:
        found[f"lookup {objection.number}"] = body(client.post("/publicity/objection/", {
            "n": objection.number, "c": objection.lookup_code}))
        found[f"api lookup {objection.number}"] = body(client.post(f"{api}objections/lookup/", {
            "number": objection.number, "code": objection.lookup_code}, content_type="application/json"))
    filing = client.post(f"/publicity/{publicity.pk}/lines/3/objection/", {"content": "该户子女收入较高"})
    found["filed"] = body(client.get(filing["Location"]))
    filed = client.post(f"{api}{publicity.pk}/objections/", {"line": 1, "content": "该户子女收入较高"},
                        content_type="application/json")
    found["api filed"] = body(filed)
    return found


def test_no_public_page_answer_or_notice_carries_personal_data(posted, objections):
    pages = _crawl(Client(), posted, objections)
    assert len(pages) > 40 and "王*国" in pages[f"/publicity/{posted.pk}/330381101201/"]
    assert "经核查属实，停止发放" in pages[f"lookup {objections[0].number}"]  # the outcome is public to the objector
    assert any(text.startswith("救助名单公示") for url, text in pages.items() if url.startswith("notice"))
    secrets = secrets_of(posted) | set(OBJECTOR) | {INVESTIGATION, "微信 zhao", "该户有两辆经营性货车", "该户已迁出本村多年"}
    found = [(url, secret) for url, text in pages.items() for secret in secrets if secret in text]
    assert found == []
