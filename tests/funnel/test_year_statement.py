"""The funnel is published as a section of the year statement (content format 3): in the hashed
document and the chain, on the statement's page (Chinese and English), its PDF and its funnel.csv,
and on the overview; statements of other kinds, and every statement published before (formats 1
and 2), are shown, served and verified exactly as they were published."""
import csv
import datetime as dt
import io
import json
import re

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

import disclosure.services as services
from assistance.models import Application, InsuredPerson
from disclosure import funnel
from disclosure.models import Statement
from disclosure.publicity import SECTION as PUBLICITY
from disclosure.services import chain_problems, statement_publish
from tests.disclosure.helpers import build, publish, verify_command
from tests.funnel.helpers import YEAR, random_year

pytestmark = pytest.mark.django_db
STATEMENT_YEAR = YEAR + 1  # the 2023 statement tells about 2022's costs


@pytest.fixture
def cost_year(history, msb, clerk, places):
    """2022's costs, worked on in 2023: people across the towns and every stage."""
    return random_year(msb=msb, clerk=clerk, places=places, seed=5, people=120)


def body(response) -> str:
    return (b"".join(response.streaming_content) if response.streaming else response.content).decode()


def published_year(finance_a, capture) -> Statement:
    with capture(execute=True):  # the public files are written once the publication commits
        return publish("year", dt.date(STATEMENT_YEAR, 1, 1), finance_a)


def test_the_year_statement_carries_the_funnel_in_format_3_and_the_chain_holds_it(
        cost_year, finance_a, django_capture_on_commit_callbacks):
    year = published_year(finance_a, django_capture_on_commit_callbacks)
    section = year.content[funnel.SECTION]
    assert year.content["format"] == funnel.FORMAT == 3 and section["cost_year"] == YEAR
    assert section == funnel.funnel_section(STATEMENT_YEAR)
    assert json.loads(year.document)["content"][funnel.SECTION] == section  # in the hashed text
    total = section["total"]["counts"]
    expected = cost_year.counts()
    for stage in ("screened", "shared", "paid"):
        assert total[stage] in (None, sum(expected[stage].values()))
    assert total["screened"] == sum(expected["screened"].values())
    assert chain_problems() == [] and verify_command()[0]


def test_statements_of_other_kinds_stay_format_2_without_the_funnel(cost_year, finance_a,
                                                                     django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        june = publish("month", dt.date(2023, 6, 1), finance_a)
        quarter = publish("quarter", dt.date(2023, 4, 1), finance_a)
    for statement in (june, quarter):
        assert statement.content["format"] == 2 and funnel.SECTION not in statement.content
        assert Client().get(f"/disclosure/statements/{statement.sequence}/funnel.csv").status_code == 404


def old_format(statement_content, keep_publicity: bool):
    """statement_content as it was before the funnel (format 2) or before the 公示 section (format 1)."""
    def old(*args, **kwargs):
        content = statement_content(*args, **kwargs)
        content = {key: value for key, value in content.items() if key not in (funnel.SECTION, "format")}
        if keep_publicity:
            return {**content, "format": 2}
        return {key: value for key, value in content.items() if key != PUBLICITY}
    return old


def test_year_statements_published_before_the_funnel_still_verify_and_show_as_published(
        cost_year, finance_a, monkeypatch, django_capture_on_commit_callbacks):
    with monkeypatch.context() as patched, django_capture_on_commit_callbacks(execute=True):
        patched.setattr(services, "statement_content", old_format(services.statement_content, keep_publicity=False))
        first = publish("month", dt.date(2023, 5, 1), finance_a)  # format 1
        patched.setattr(services, "statement_content", old_format(services.statement_content, keep_publicity=True))
        before = publish("year", dt.date(2023, 1, 1), finance_a)  # format 2: a year statement without funnel
    assert "format" not in first.content and before.content["format"] == 2
    assert funnel.SECTION not in before.content
    with django_capture_on_commit_callbacks(execute=True):
        after = publish("year", dt.date(2024, 1, 1), finance_a)  # format 3: 2023's costs (none here)
    assert after.content["format"] == 3 and after.content[funnel.SECTION]["rows"] == []
    assert chain_problems() == [] and verify_command()[0]
    client = Client()
    page = body(client.get(f"/disclosure/statements/{before.sequence}/"))
    assert 'id="funnel"' not in page and before.sha256 in page
    assert client.get(f"/disclosure/statements/{before.sequence}/funnel.csv").status_code == 404
    assert body(client.get(f"/disclosure/statements/{before.sequence}/statement.json")) == before.document
    assert 'id="funnel"' in body(client.get(f"/disclosure/statements/{after.sequence}/"))


def test_publication_is_refused_when_the_funnel_moved_after_the_build(cost_year, finance_a):
    statement = build("year", dt.date(STATEMENT_YEAR, 1, 1), finance_a)
    approved = Application.objects.filter(year=YEAR, state=Application.State.APPROVED).first()
    Application.objects.filter(pk=approved.pk).update(state=Application.State.PAID)  # the bank confirmed it
    with pytest.raises(ValidationError, match="救助工作进度有变动"):
        statement_publish(statement=statement, acting_user=finance_a)
    statement = build("year", dt.date(STATEMENT_YEAR, 1, 1), finance_a)
    assert statement_publish(statement=statement, acting_user=finance_a).is_published


def test_the_statement_page_pdf_and_csv_show_the_funnel_in_chinese_and_english(
        cost_year, finance_a, django_capture_on_commit_callbacks):
    year = published_year(finance_a, django_capture_on_commit_callbacks)
    section = year.content[funnel.SECTION]
    client = Client()
    page = body(client.get(f"/disclosure/statements/{year.sequence}/"))
    assert "2023年救助工作进度（2022年度医疗费用）" in page and "应助未助" in page and "funnel.csv" in page
    assert 'aria-label="救助工作进度"' in page and all(row["town"] in page for row in section["rows"])
    english = body(client.get(f"/en/disclosure/statements/{year.sequence}/"))
    assert "Assistance in 2023, stage by stage (medical costs of 2022)" in english
    assert "Eligible, not applied" in english and "应助未助" not in english
    rows = list(csv.reader(io.StringIO(body(client.get(f"/disclosure/statements/{year.sequence}/funnel.csv"))
                                       .lstrip("\ufeff"))))
    assert rows[0] == ["乡镇（街道）", *funnel.LABELS.values()]
    shown = [[row["town"], *("*" if row["counts"][s] is None else str(row["counts"][s]) for s in funnel.LABELS)]
             for row in section["rows"]]
    total = ["合计", *("*" if section["total"]["counts"][s] is None else str(section["total"]["counts"][s])
                      for s in funnel.LABELS)]
    assert rows[1:] == [*shown, total]
    from pypdf import PdfReader

    pdf = client.get(f"/disclosure/statements/{year.sequence}/statement.pdf")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(b"".join(pdf.streaming_content))).pages)
    assert "2023年救助工作进度（2022年度医疗费用）" in text.replace(" ", "").replace("\n", "")


def test_the_overview_draws_the_latest_year_statements_funnel(cost_year, finance_a,
                                                              django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        publish("month", dt.date(2023, 6, 1), finance_a)
    assert 'id="funnel"' not in body(Client().get("/disclosure/"))  # no year statement yet
    year = published_year(finance_a, django_capture_on_commit_callbacks)
    page = body(Client().get("/disclosure/"))
    assert 'id="funnel"' in page and 'aria-label="救助工作进度"' in page
    assert f"/disclosure/statements/{year.sequence}/#funnel" in page and "<script" not in page
    total = year.content[funnel.SECTION]["total"]["counts"]
    assert f"{total['screened']:,}" in page
    english = body(Client().get("/en/disclosure/"))
    assert "Assistance in 2023, stage by stage" in english and "Flagged by screening" in english


ID_NUMBER = re.compile(r"(?<![0-9])[0-9]{17}[0-9Xx](?![0-9])")
PHONE = re.compile(r"(?<![0-9])1[3-9][0-9]{9}(?![0-9])")


def test_no_funnel_page_or_file_carries_anything_personal(cost_year, finance_a, django_capture_on_commit_callbacks):
    year = published_year(finance_a, django_capture_on_commit_callbacks)
    client = Client()
    texts = [body(client.get(url)) for url in (
        "/disclosure/", "/en/disclosure/", f"/disclosure/statements/{year.sequence}/",
        f"/en/disclosure/statements/{year.sequence}/", f"/disclosure/statements/{year.sequence}/funnel.csv")]
    texts.append(json.dumps(year.content[funnel.SECTION], ensure_ascii=False))
    people = InsuredPerson.objects.filter(warning_targets__run__year=YEAR).distinct()
    secrets = {value for person in people for value in (person.name, person.resident_id)}
    assert secrets and [secret for secret in secrets for text in texts if secret in text] == []
    assert [text for text in texts if ID_NUMBER.search(text) or PHONE.search(text)] == []
