"""The public folder holds what publication wrote, and only that is served: Django answers a path
only if a publication recorded it (disclosure.PublicFile), with bytes that hash to the record, and
never through a symbolic link; nginx follows no link either; `write_public_files` moves anything
else aside and says so with a failing exit status."""
import datetime as dt
import io
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.test import Client

from disclosure.files import SET_ASIDE
from tests.disclosure.helpers import verify_command

pytestmark = pytest.mark.django_db


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.fixture
def secret(tmp_path) -> Path:
    path = tmp_path / "outside" / "passwd"
    path.parent.mkdir()
    path.write_text("root:x:0:0:root:/root:/bin/bash\n")
    return path


@pytest.mark.parametrize("path, url", [
    ("zh-hans/statements/12/index.html", "/disclosure/statements/12/"),
    ("en/statements/12/index.html", "/en/disclosure/statements/12/"),
    ("statements/12/income.csv", "/disclosure/statements/12/income.csv"),
    ("statements/12/statement.json", "/en/disclosure/statements/12/statement.json"),
])
def test_django_serves_only_files_a_publication_recorded(published, public_root, path, url):
    fake = public_root / path
    fake.parent.mkdir(parents=True, exist_ok=True)
    fake.write_text("<h1>第 12 号收支公示（伪造）</h1>")
    response = Client().get(url)
    assert response.status_code == 404 and "伪造" not in body(response).decode()


@pytest.mark.parametrize("path, url", [
    ("statements/1/income.csv", "/disclosure/statements/1/income.csv"),
    ("zh-hans/statements/1/index.html", "/disclosure/statements/1/"),
    ("en/index.html", "/en/disclosure/"),
])
def test_a_symbolic_link_in_the_public_folder_is_never_followed(published, public_root, secret, path, url):
    target = public_root / path
    recorded = target.read_bytes()
    target.unlink()
    target.symlink_to(secret)
    response = Client().get(url)
    assert response.status_code == 200 and body(response) == recorded  # the published bytes, from the record
    assert b"root:x:0:0" not in body(response)
    assert target.is_symlink() and secret.read_text().startswith("root:")  # nothing written through the link


def test_a_symbolic_link_to_a_folder_is_neither_read_nor_written_through(published, public_root, tmp_path):
    folder = public_root / "statements" / "1"
    recorded = (folder / "income.csv").read_bytes()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "income.csv").write_text("捐赠方,金额\n伪造,1\n")
    moved = tmp_path / "moved-away"
    folder.rename(moved)
    folder.symlink_to(elsewhere, target_is_directory=True)
    assert body(Client().get("/disclosure/statements/1/income.csv")) == recorded
    assert body(Client().get("/disclosure/statements/1/payouts.csv")) == (moved / "payouts.csv").read_bytes()
    assert sorted(path.name for path in elsewhere.iterdir()) == ["income.csv"]  # nothing written there


def test_a_file_edited_on_disk_is_answered_with_the_published_bytes(published, public_root):
    page = public_root / "zh-hans" / "statements" / "1" / "index.html"
    recorded = page.read_bytes()
    page.write_bytes(recorded.replace("60,000.00".encode(), "6,000.00".encode()))
    assert body(Client().get("/disclosure/statements/1/")) == recorded
    assert not verify_command()[0]  # and verify names the edited file


def test_verify_names_a_foreign_file_and_a_symbolic_link(published, public_root, secret):
    fake = public_root / "zh-hans" / "statements" / "12" / "index.html"
    fake.parent.mkdir(parents=True)
    fake.write_text("伪造")
    csv_path = public_root / "statements" / "1" / "income.csv"
    csv_path.unlink()
    csv_path.symlink_to(secret)
    (public_root / "statements" / "13").symlink_to(secret.parent, target_is_directory=True)
    ok, errors = verify_command()
    assert not ok
    assert "zh-hans/statements/12/index.html 不是发布时写出的文件" in errors
    assert "statements/1/income.csv：是符号链接" in errors
    assert "statements/13 不是发布时写出的文件" in errors
    assert "passwd" not in errors  # the link's target was never read


def test_write_public_files_moves_foreign_files_aside_and_fails(published, public_root, secret):
    fake = public_root / "zh-hans" / "statements" / "12" / "index.html"
    fake.parent.mkdir(parents=True)
    fake.write_text("伪造")
    linked = public_root / "statements" / "1" / "extra.csv"
    linked.symlink_to(secret)
    csv_path = public_root / "statements" / "1" / "income.csv"
    recorded = csv_path.read_bytes()
    csv_path.unlink()
    csv_path.symlink_to(secret)

    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError, match="2 个不是发布时写出的文件"):
        call_command("write_public_files", stdout=out, stderr=err)
    assert "zh-hans/statements/12/index.html" in err.getvalue() and "statements/1/extra.csv" in err.getvalue()
    assert not fake.exists() and not linked.is_symlink()
    kept = list((public_root / SET_ASIDE).rglob("index.html"))
    assert [path.read_text() for path in kept] == ["伪造"]  # kept for whoever looks into it, out of every URL
    assert not csv_path.is_symlink() and csv_path.read_bytes() == recorded  # the link replaced by the file
    assert secret.read_text().startswith("root:")
    assert verify_command() == (True, "")  # the set-aside folder is not the public folder's content
    call_command("write_public_files", stdout=io.StringIO(), stderr=io.StringIO())  # now clean: exit 0


def test_nginx_follows_no_symbolic_link_in_the_public_folder():
    conf = (Path(settings.BASE_DIR) / "deploy" / "nginx" / "disclosure-locations.conf").read_text()
    locations = re.findall(r"location [^{]+\{([^}]+)\}", conf)
    serving = [block for block in locations if "root $fundportal_public_root;" in block]
    assert len(serving) == 2
    assert all(re.search(r"^\s*disable_symlinks on(?: from=\$document_root)?;", block, re.M) for block in serving)


def test_the_page_written_at_publication_is_the_one_served(published, public_root):
    """No regression: the normal path — a recorded file, unchanged on disk — is served from disk."""
    june = published[1]
    page = public_root / "en" / "statements" / str(june.sequence) / "index.html"
    response = Client().get(f"/en/disclosure/statements/{june.sequence}/")
    served = body(response)
    assert served == page.read_bytes() and june.sha256 in served.decode()
    assert Client().get(f"/en/disclosure/statements/{june.sequence}/",
                        HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304
    assert dt.datetime.strptime(response["Last-Modified"], "%a, %d %b %Y %H:%M:%S GMT")
