"""The public pages: no login, Chinese and English, pre-rendered files served with validators,
CSV tables that sum to the published totals, and nothing personal anywhere."""
import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.test import Client

from tests.disclosure.helpers import publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(history, finance_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):  # files are written once publication commits
        statements = [publish("month", dt.date(2023, month, 1), finance_a) for month in (5, 6, 7)]
        statements.append(publish("year", dt.date(2023, 1, 1), finance_a))
    return statements


def test_every_public_page_opens_without_login(published, public_root):
    client = Client()
    june = published[1]
    for url, text in (("/disclosure/", "基金概况"), ("/disclosure/statements/", "2023年6月收支公示"),
                      (f"/disclosure/statements/{june.sequence}/", june.sha256),
                      ("/disclosure/verify/", "哈希链完整")):
        response = client.get(url)
        assert response.status_code == 200, url
        assert text in b"".join(response.streaming_content if response.streaming else [response.content]).decode()
    assert (public_root / "zh-hans" / "statements" / str(june.sequence) / "index.html").exists()


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_the_overview_adds_up_the_published_months(published):
    page = body(Client().get("/disclosure/")).decode()
    assert "80,500.00" in page and "35,000.00" in page and "45,500.00" in page  # received, paid (net), balance
    assert page.count("<svg") == 4 and "<script" not in page


def test_statement_files_are_served_with_validators_and_never_change(published):
    client = Client()
    url = f"/disclosure/statements/{published[1].sequence}/statement.json"
    response = client.get(url)
    assert body(response).decode() == published[1].document
    assert "immutable" in response["Cache-Control"] and response["ETag"]
    assert client.get(url, HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304
    assert client.get(f"/disclosure/statements/{published[1].sequence}/secret.txt").status_code == 404
    assert client.get("/disclosure/statements/999/").status_code == 404


@pytest.mark.parametrize("table, total_key", [("income", ("income", "total")), ("payouts", ("payouts", "total")),
                                              ("pledges", ("pledges", "outstanding"))])
def test_csv_rows_sum_exactly_to_the_published_totals(published, table, total_key):
    for statement in published:
        rows = list(csv.DictReader(io.StringIO(body(Client().get(
            f"/disclosure/statements/{statement.sequence}/{table}.csv")).decode("utf-8-sig"))))
        column = {"income": "金额（元）", "payouts": "金额（元）", "pledges": "未到账（元）"}[table]
        section, key = total_key
        assert sum((Decimal(row[column]) for row in rows), start=Decimal("0.00")) == Decimal(
            statement.content[section][key])


def test_a_missing_file_is_written_again_from_the_database(published, public_root):
    import shutil

    shutil.rmtree(public_root)
    june = published[1]
    assert june.sha256 in body(Client().get(f"/disclosure/statements/{june.sequence}/")).decode()
    assert body(Client().get(f"/disclosure/statements/{june.sequence}/statement.json")).decode() == june.document
    assert "基金概况" in body(Client().get("/disclosure/")).decode()


def test_the_pages_in_english(published):
    client = Client()
    chinese = body(client.get("/disclosure/statements/")).decode()
    assert 'href="/en/disclosure/statements/"' in chinese  # the same page in English, a plain link
    english = body(client.get("/en/disclosure/statements/")).decode()
    assert '<html lang="en">' in english and 'href="/disclosure/statements/"' in english
    assert 'href="/en/disclosure/statements/1/"' in english  # English pages link English pages
    page = body(client.get(f"/en/disclosure/statements/{published[1].sequence}/")).decode()
    assert published[1].sha256 in page and '<html lang="en">' in page


def test_a_correction_is_linked_from_the_statement_it_corrects(published, finance_a,
                                                               django_capture_on_commit_callbacks):
    from disclosure.services import statement_correct

    with django_capture_on_commit_callbacks(execute=True):
        correction = statement_correct(statement=published[0], notice="个人捐赠 500 元的日期应为 5 月 21 日。",
                                       acting_user=finance_a)
    page = body(Client().get(f"/disclosure/statements/{published[0].sequence}/")).decode()
    assert correction.title in page
    assert "5 月 21 日" in body(Client().get(f"/disclosure/statements/{correction.sequence}/")).decode()


def test_one_mask_on_page_csv_api_and_pdf(published, history):
    from io import BytesIO

    from pypdf import PdfReader

    june = published[1]
    client = Client()
    person = history["first"].person
    masked = june.content["payouts"]["rows"][0]["name"]
    assert "*" in masked and masked[0] == person.name[0]
    page = body(client.get(f"/disclosure/statements/{june.sequence}/")).decode()
    csv_text = body(client.get(f"/disclosure/statements/{june.sequence}/payouts.csv")).decode("utf-8-sig")
    api = client.get(f"/api/public/statements/{june.sequence}/").content.decode()
    pdf = body(client.get(f"/disclosure/statements/{june.sequence}/statement.pdf"))
    pdf_text = "".join(p.extract_text() for p in PdfReader(BytesIO(pdf)).pages).replace("\n", "")
    for name, text in (("page", page), ("csv", csv_text), ("api", json_unescaped(api)), ("pdf", pdf_text)):
        assert masked in text, name
        assert person.name not in text, name
    assert june.sha256 in pdf_text.replace(" ", "")


def json_unescaped(text: str) -> str:
    import json

    return json.dumps(json.loads(text), ensure_ascii=False)


def test_the_overview_adds_up_the_finest_statements_that_never_overlap(db):
    """2023 published by month (from June) and by quarter and year too; 2024 by quarter and year
    only: the overview takes 2023's months and 2024's quarters — never a period twice, nothing left out."""
    import datetime as dt

    from disclosure.models import Statement
    from disclosure.selectors import published_periods
    from tests.fixtures.factories import StatementFactory

    from django.utils import timezone

    chain: list[Statement] = []

    def published(kind, start, end):  # the row as published, chained (its content is not read here)
        chain.append(StatementFactory(
            kind=kind, period_start=start, period_end=end, state=Statement.State.PUBLISHED, sequence=len(chain) + 1,
            published_at=timezone.now(), sha256=f"{len(chain) + 1:064d}", document="{}",
            previous=chain[-1] if chain else None, previous_sha256=chain[-1].sha256 if chain else ""))
        return chain[-1]

    Kind = Statement.Kind
    months = [published(Kind.MONTH, dt.date(2023, m, 1), dt.date(2023, m, 28)) for m in range(6, 13)]
    published(Kind.QUARTER, dt.date(2023, 4, 1), dt.date(2023, 6, 30))  # overlaps June: left out
    published(Kind.YEAR, dt.date(2023, 1, 1), dt.date(2023, 12, 31))
    quarters = [published(Kind.QUARTER, dt.date(2024, m, 1), dt.date(2024, m + 2, 28)) for m in (1, 4, 7, 10)]
    published(Kind.YEAR, dt.date(2024, 1, 1), dt.date(2024, 12, 31))
    StatementFactory(kind=Kind.MONTH, period_start=dt.date(2025, 1, 1), period_end=dt.date(2025, 1, 31))  # not published
    assert published_periods() == months + quarters
