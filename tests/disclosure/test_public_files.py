"""Every public file derived from a statement is checkable: its hash is recorded when it is written,
verify checks them all (and answers for the state it finds, not a minute old), and rewriting the
files restores the recorded bytes — it never records a changed database over a publication."""
import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, InternalError, connection, transaction
from django.test import Client

from disclosure.models import PublicFile, Statement
from tests.disclosure.helpers import publish, verify_command

pytestmark = pytest.mark.django_db


def behind_the_triggers(change) -> None:
    """What someone with the database's superuser could do: write with the triggers off."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        change()
        cursor.execute("SET LOCAL session_replication_role = DEFAULT")


def verify_page(url="/disclosure/verify/") -> str:
    return Client().get(url).content.decode()


# Every kind of public file: the statement page in both languages, the overview and the list in
# both, the PDF, a CSV and the JSON document.
FILES = ["zh-hans/statements/2/index.html", "en/statements/2/index.html", "zh-hans/index.html", "en/index.html",
         "zh-hans/statements/index.html", "en/statements/index.html", "statements/2/statement.pdf",
         "statements/2/payouts.csv", "statements/2/statement.json"]


@pytest.mark.parametrize("path", FILES)
def test_every_public_file_edited_on_disk_is_named_by_verify(published, public_root, path):
    assert verify_command() == (True, "") and "哈希链完整" in verify_page()
    target = public_root / path
    data = target.read_bytes()
    target.write_bytes(data.replace(b"2023", b"2024", 1) if b"2023" in data else data + b" ")

    ok, errors = verify_command()
    assert not ok and path in errors
    assert path in verify_page() and path in verify_page("/en/disclosure/verify/")


def test_verify_answers_for_the_state_it_finds_not_a_minute_old(published, public_root):
    client = Client()
    first = client.get("/disclosure/verify/")
    assert "哈希链完整" in first.content.decode()
    assert first["Cache-Control"] == "public, no-cache"  # no shared cache keeps an old answer either
    assert client.get("/disclosure/verify/", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304

    page = public_root / "zh-hans" / "statements" / "1" / "index.html"
    page.write_bytes(page.read_bytes().replace("60,000.00".encode(), "6,000.00".encode()))
    after = client.get("/disclosure/verify/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert after.status_code == 200 and "zh-hans/statements/1/index.html" in after.content.decode()
    assert after["ETag"] != first["ETag"]


def test_verify_answers_at_once_when_the_database_is_changed_behind_the_triggers(published):
    assert "哈希链完整" in verify_page()
    behind_the_triggers(lambda: Statement.objects.filter(sequence=1).update(title="改过的标题"))
    assert "哈希链完整" not in verify_page()


def test_rewriting_restores_an_edited_page_or_pdf_to_the_recorded_bytes(published, public_root):
    pdf, page = public_root / "statements/1/statement.pdf", public_root / "en/statements/1/index.html"
    originals = pdf.read_bytes(), page.read_bytes()
    pdf.write_bytes(originals[0][:-200])
    page.write_bytes(originals[1].replace(b"SHA-256", b"SHA-1"))
    assert not verify_command()[0]

    call_command("write_public_files", stdout=io.StringIO())
    assert (pdf.read_bytes(), page.read_bytes()) == originals
    assert verify_command() == (True, "")


def test_rewriting_never_records_a_database_changed_after_publication(published, public_root):
    """The content of statement 1 is changed in the database (the trigger disabled): its CSV would
    now differ from the one published. It is reported, not written, and not recorded."""
    csv_path = public_root / "statements/1/income.csv"
    published_csv = csv_path.read_bytes()
    records = PublicFile.objects.count()
    content = published[0].content
    content["income"]["rows"][0]["amount"] = "6000.00"
    behind_the_triggers(lambda: Statement.objects.filter(pk=published[0].pk).update(content=content))
    csv_path.unlink()

    err = io.StringIO()
    with pytest.raises(CommandError, match="未重写"):
        call_command("write_public_files", stdout=io.StringIO(), stderr=err)
    assert "statements/1/income.csv" in err.getvalue() and "数据库" in err.getvalue()
    assert not csv_path.exists() and PublicFile.objects.count() == records
    assert Client().get("/disclosure/statements/1/income.csv").status_code == 404  # not served from the change
    assert not csv_path.exists()
    ok, errors = verify_command()
    assert not ok and "statements/1/income.csv" in errors
    csv_path.write_bytes(published_csv)  # the published file itself is still recognised as such
    assert "statements/1/income.csv：与发布时记录" not in verify_command()[1]


def test_a_page_is_restored_as_published_even_if_the_templates_changed_since(published, public_root, monkeypatch):
    from disclosure import pages

    page = public_root / "zh-hans/statements/1/index.html"
    original = page.read_bytes()
    monkeypatch.setattr(pages, "_render", lambda *args, **kwargs: b"<p>a new template</p>")
    page.unlink()
    assert Client().get("/disclosure/statements/1/").status_code == 200
    assert page.read_bytes() == original


def test_the_overview_and_list_are_recorded_each_time_a_publication_writes_them(published, finance_a, public_root,
                                                                                  django_capture_on_commit_callbacks):
    versions = dict(PublicFile.objects.filter(path="zh-hans/index.html").values_list("version", "sha256"))
    assert len(versions) == 2  # one per publication: the overview changed with each
    with django_capture_on_commit_callbacks(execute=True):
        publish("month", dt.date(2023, 7, 1), finance_a)
    latest = PublicFile.objects.filter(path="zh-hans/index.html").order_by("-version").first()
    assert latest.version == 3 and latest.sha256 not in versions.values()
    assert verify_command() == (True, "")


def test_a_correction_records_the_new_version_of_the_page_it_corrects(published, finance_a,
                                                                      django_capture_on_commit_callbacks):
    from disclosure.services import statement_correct

    with django_capture_on_commit_callbacks(execute=True):
        statement_correct(statement=published[0], notice="日期更正", acting_user=finance_a)
    assert PublicFile.objects.filter(path="en/statements/1/index.html").count() == 2
    assert verify_command() == (True, "")


def test_a_file_that_no_publication_wrote_is_reported(published, public_root):
    planted = public_root / "zh-hans" / "statements" / "99" / "index.html"
    planted.parent.mkdir(parents=True)
    planted.write_text("<h1>2023年13月收支公示</h1>")
    ok, errors = verify_command()
    assert not ok and "zh-hans/statements/99/index.html 不是发布时写出的文件" in errors


def test_files_are_recorded_at_their_first_writing_if_publication_wrote_none(history, finance_a, public_root):
    statement = publish("month", dt.date(2023, 5, 1), finance_a)  # the write after the commit never ran
    assert not PublicFile.objects.exists()
    assert Client().get(f"/en/disclosure/statements/{statement.sequence}/").status_code == 200
    assert PublicFile.objects.filter(statement=statement).count() == 7  # JSON, 3 CSV, PDF, 2 pages
    assert verify_command() == (True, "")


def test_public_file_records_can_be_neither_changed_nor_deleted(published):
    record = PublicFile.objects.filter(path="statements/1/statement.pdf").get()
    for change in (lambda: PublicFile.objects.filter(pk=record.pk).update(sha256="0" * 64),
                   lambda: PublicFile.objects.filter(pk=record.pk).delete()):
        with pytest.raises((InternalError, IntegrityError)), transaction.atomic():
            change()
    assert PublicFile.objects.get(pk=record.pk).sha256 == record.sha256


@pytest.mark.parametrize("name", ["statement.exe", "..%2Fsecret", "income.csv.bak"])
def test_a_wrong_file_name_is_refused_and_nothing_is_written(published, public_root, name):
    records = PublicFile.objects.count()
    assert Client().get(f"/disclosure/statements/1/{name}").status_code == 404
    assert PublicFile.objects.count() == records and verify_command() == (True, "")
