"""The transparency log wired into publication (issue 16): what a publication appends and signs,
what verify finds when the record is rewritten behind the database's back, and the witnesses."""
import datetime as dt
import hashlib
import io
import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import InternalError, transaction
from django.test import Client
from django.utils import timezone

from disclosure import tlog
from disclosure.witness import Refused, Witness, handle_body, marker_path
from disclosure.models import Cosignature, LogCheckpoint, LogLeaf, LogNode, PublicFile, Statement, WitnessAttempt
from disclosure.transparency import keys
from disclosure.services import chain_problems
from disclosure.transparency.checks import unresolved_alarms
from disclosure.transparency.leaves import statement_leaves
from disclosure.transparency.log import checkpoint_sign
from disclosure.transparency.proofs import entry_inclusions, latest_checkpoint, public_note
from disclosure.transparency.witnesses import Answer, cosign_latest
from disclosure.transparency.witnesses import _cosignature as witness_answer
from donations.models import Receipt
from tests.disclosure.helpers import publish, verify_command
from tests.disclosure.test_public_files import behind_the_triggers, verify_page
from tests.disclosure.witnesses import start_witnesses


def all_leaf_hashes() -> list[bytes]:
    return [tlog.leaf_hash(data.encode()) for data in LogLeaf.objects.order_by("index").values_list("data", flat=True)]


@pytest.fixture
def audit(history, finance_a, tmp_path, settings, django_capture_on_commit_callbacks):
    """One witness (audit.example.cn) running and configured, and May 2023 published: it cosigned May."""
    (witness,) = start_witnesses(tmp_path, settings, "audit.example.cn")
    with django_capture_on_commit_callbacks(execute=True):
        publish("month", dt.date(2023, 5, 1), finance_a)
    yield witness
    witness.stop()


def test_a_publication_appends_its_document_and_rows_and_its_files_in_signed_checkpoints(published):
    may, june = published
    for statement in (may, june):
        logged = list(LogLeaf.objects.filter(statement=statement).exclude(kind=LogLeaf.Kind.FILE)
                      .order_by("index").values_list("data", flat=True))
        assert logged == [leaf.data for leaf in statement_leaves(statement)]
        assert logged[0] == statement.document  # the document as published, byte for byte
        rows = statement.content["income"]["rows"] + statement.content["payouts"]["rows"]
        assert len(logged) == 1 + len(rows) and rows
    # Every public file version recorded is a leaf: path, version and hash.
    files = {json.loads(data)["file"] for data in LogLeaf.objects.filter(kind=LogLeaf.Kind.FILE)
             .values_list("data", flat=True)}
    assert files == set(PublicFile.objects.values_list("path", flat=True))
    checkpoint = latest_checkpoint()
    assert checkpoint.size == LogLeaf.objects.count()
    checked = tlog.verify_checkpoint(checkpoint.note, "cmaf.example.cn/transparency-log", keys.log_verifiers())
    assert checked.checkpoint.root == tlog.tree_root(all_leaf_hashes())
    assert verify_command() == (True, "")


def test_every_leaf_is_public_and_holds_no_personal_data(published, history):
    from assistance.models import Application

    text = "\n".join(LogLeaf.objects.values_list("data", flat=True))
    assert "林*芳" in text and "林小芳" not in text  # the individual donor masked
    people = [application.person for application in Application.objects.select_related("person")]
    assert people
    for person in people:
        assert person.name not in text and person.resident_id not in text


def test_the_forged_newest_statement_is_found_even_with_its_files_rewritten(published, public_root):
    """The issue's attack: the newest statement's content, document and hash changed together, then
    write_public_files. The chain and the files agree with the forgery; the log does not."""
    june = published[1]
    content = june.content
    content["income"]["rows"][0]["amount"] = "2.00"
    forged = json.loads(june.document)
    forged["content"] = content
    document = json.dumps(forged, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    behind_the_triggers(lambda: Statement.objects.filter(pk=june.pk).update(
        content=content, document=document, sha256=hashlib.sha256(document.encode()).hexdigest()))
    assert chain_problems() == []  # the chain alone is fooled: the newest statement has no successor
    ok, errors = verify_command()
    assert not ok and "与透明日志中记下的发布文本或明细不符" in errors

    # The attacker also rewrites the log's leaves and nodes to match: the signed root no longer does.
    leaves = statement_leaves(Statement.objects.get(pk=june.pk))
    logged = list(LogLeaf.objects.filter(statement=june).exclude(kind=LogLeaf.Kind.FILE).order_by("index"))

    def rewrite():
        for row, leaf in zip(logged, leaves):
            LogLeaf.objects.filter(pk=row.pk).update(data=leaf.data, hash=tlog.leaf_hash(leaf.data.encode()))
    behind_the_triggers(rewrite)
    ok, errors = verify_command()
    assert not ok and "签名后被截断、改写或重排" in errors
    assert "与透明日志中记下的发布文本或明细不符" not in errors  # the rows match the forgery now


def test_an_attacker_with_the_fund_key_is_refused_by_the_witnesses_and_the_split_is_shown(
        history, finance_a, tmp_path, settings, django_capture_on_commit_callbacks):
    witnesses = start_witnesses(tmp_path, settings, "audit.example.cn", "news.example.cn")
    try:
        with django_capture_on_commit_callbacks(execute=True):
            publish("month", dt.date(2023, 5, 1), finance_a)
        honest = latest_checkpoint()
        assert sorted(c.witness for c in honest.cosignatures.all()) == ["audit.example.cn", "news.example.cn"]
        # Same size, another history, signed with the real key (the attacker holds it).
        other = [tlog.leaf_hash(b"forged %d" % n) for n in range(honest.size)]
        with transaction.atomic():
            checkpoint_sign(honest.size, tlog.tree_root(other), [keys.log_signer()])
        assert set(cosign_latest().values()) == {WitnessAttempt.Outcome.INCONSISTENT}
        page = verify_page()
        assert "有见证方拒绝副署" in page and "不一致" in page
        assert not verify_command()[0]  # and the forged checkpoint does not match the leaves
    finally:
        for w in witnesses:
            w.stop()


def test_a_split_view_is_refused_by_a_witness_that_saw_either(audit, settings):
    seen = latest_checkpoint()
    for_another_reader = tlog.Checkpoint(settings.TLOG_ORIGIN, seen.size, b"\x07" * 32).text
    note = str(tlog.Note(for_another_reader, (tlog.sign(for_another_reader, keys.log_signer()),)))
    w = Witness(audit.state_path, audit.signer, {settings.TLOG_ORIGIN: [keys.log_signer().verifier()]})
    with pytest.raises(Refused) as refused:
        handle_body(w, tlog.format_add_checkpoint(seen.size, [], note).encode())
    assert refused.value.status == 409 and "split view" in str(refused.value)  # c2sp.org/tlog-witness
    assert refused.value.ctype != "text/x.tlog.size"  # not a size the client should retry from


def test_a_witness_offline_does_not_stop_publication_and_its_missing_cosignature_shows(
        history, finance_a, settings, django_capture_on_commit_callbacks):
    signer = tlog.generate_signer("offline.example.cn")
    settings.TLOG_WITNESSES = [f"http://127.0.0.1:9 {signer.verifier(tlog.COSIGNATURE_V1).vkey}"]
    with django_capture_on_commit_callbacks(execute=True):
        statement = publish("month", dt.date(2023, 5, 1), finance_a)
    assert statement.is_published and Client().get("/disclosure/statements/1/").status_code == 200
    attempt = WitnessAttempt.objects.filter(witness="offline.example.cn").latest("at")
    assert attempt.outcome == WitnessAttempt.Outcome.UNREACHABLE and "无法连接" in attempt.message
    page = verify_page()
    assert "offline.example.cn" in page and "未副署" in page and "无法连接见证方" in page


def test_a_restarted_witness_continues_from_its_state_file(audit, finance_a, settings,
                                                           django_capture_on_commit_callbacks):
    first = latest_checkpoint().size
    audit.stop()
    audit.start()  # a new process would read the same state file: a new server, same file
    settings.TLOG_WITNESSES = [audit.setting]
    with django_capture_on_commit_callbacks(execute=True):
        publish("month", dt.date(2023, 6, 1), finance_a)
    latest = latest_checkpoint()
    assert latest.size > first and [c.witness for c in latest.cosignatures.all()] == ["audit.example.cn"]
    assert json.load(open(audit.state_path))[settings.TLOG_ORIGIN]["size"] == latest.size


@pytest.mark.parametrize("attack, found", [
    ("truncate", "签名后被截断、改写或重排"),
    ("reorder", "签名后被截断、改写或重排"),
    ("edit leaf", "内容与其哈希不符"),
    ("unknown key", "不是本基金的密钥所签"),
    ("unknown witness", "不是本基金配置的见证方"),
    ("node", "存储节点与重算的树不符"),
])
def test_each_rewrite_of_the_log_is_refused_with_its_reason(published, attack, found):
    last = LogLeaf.objects.order_by("-index").first()
    first_two = list(LogLeaf.objects.order_by("index")[:2])

    def change():
        if attack == "truncate":
            LogLeaf.objects.filter(pk=last.pk).delete()
        elif attack == "reorder":
            a, b = first_two
            LogLeaf.objects.filter(pk=a.pk).update(data=b.data, hash=b.hash)
            LogLeaf.objects.filter(pk=b.pk).update(data=a.data, hash=a.hash)
        elif attack == "edit leaf":
            LogLeaf.objects.filter(pk=last.pk).update(data=last.data + " ")
        elif attack == "unknown key":
            checkpoint = latest_checkpoint()
            stranger = tlog.Signer(checkpoint.note.split("\n")[0], tlog.generate_signer("x").private)
            text = tlog.parse_note(checkpoint.note).text
            LogCheckpoint.objects.filter(pk=checkpoint.pk).update(note=str(tlog.Note(text, (tlog.sign(text, stranger),))))
        elif attack == "unknown witness":
            stranger = tlog.generate_signer("stranger.example")
            checkpoint = latest_checkpoint()
            text = tlog.parse_note(checkpoint.note).text
            Cosignature.objects.create(checkpoint=checkpoint, witness="stranger.example",
                                       line=tlog.cosign(text, stranger, 1700000000).line,
                                       cosigned_at=dt.datetime(2023, 11, 14, tzinfo=dt.timezone.utc))
        else:
            node = LogNode.objects.order_by("-key").first()
            LogNode.objects.filter(pk=node.pk).update(hash=b"\x00" * 32)
    behind_the_triggers(change)
    ok, errors = verify_command()
    assert not ok and found in errors


def test_the_log_is_append_only_in_the_database(published):
    leaf = LogLeaf.objects.first()
    for change in (lambda: LogLeaf.objects.filter(pk=leaf.pk).update(data="x"),
                   lambda: LogLeaf.objects.filter(pk=leaf.pk).delete(),
                   lambda: LogCheckpoint.objects.all().delete(),
                   lambda: LogNode.objects.all().update(hash=b"0" * 32)):
        with pytest.raises(InternalError, match="append-only"), transaction.atomic():
            change()


def test_without_the_signing_key_nothing_is_published(history, finance_a, settings, tmp_path):
    settings.TLOG_SIGNING_KEY_FILE = tmp_path / "missing.key"
    with pytest.raises(ValidationError, match="签名密钥文件 .* 不存在"):
        publish("month", dt.date(2023, 5, 1), finance_a)
    assert not Statement.objects.filter(state=Statement.State.PUBLISHED).exists()
    assert not LogLeaf.objects.exists()


def test_a_receipt_shows_its_verified_inclusion_and_its_proof_checks_offline(published, history, tmp_path):
    receipt = Receipt.objects.get(donation__donor=history["person"])
    client = Client()
    page = client.get("/receipts/verify/", {"n": receipt.number, "c": receipt.verification_code}).content.decode()
    assert "已收录于第 1 号公示，校验通过" in page
    proof_url = page.split('href="/disclosure/log/proof/')[1].split('"')[0]
    proof = client.get(f"/disclosure/log/proof/{proof_url}").content.decode()
    parsed = tlog.parse_proof(proof)
    assert json.loads(parsed.extra)["row"]["donor"] == "林*芳"
    checked = tlog.verify_proof(proof, tlog.leaf_hash(parsed.extra), "cmaf.example.cn/transparency-log",
                                keys.log_verifiers())
    assert checked.checkpoint.size == LogLeaf.objects.count()
    # The same with the verifier script as the public downloads it, run outside the portal.
    script = tmp_path / "fund_log_verify.py"
    script.write_bytes(client.get("/disclosure/log/fund_log_verify.py").content)
    (tmp_path / "p.tlog-proof").write_text(proof)
    run = subprocess.run([sys.executable, "-I", str(script), "proof", str(tmp_path / "p.tlog-proof"), "--origin",
                          "cmaf.example.cn/transparency-log", "--key", keys.log_verifier().vkey],
                         capture_output=True, text=True)
    assert run.returncode == 0 and "校验通过" in run.stdout and "林*芳" in run.stdout


def test_the_family_progress_page_shows_where_its_payout_was_published(published, history):
    from assistance.models import Application

    application = history["first"]
    Application.objects.filter(pk=application.pk).update(lookup_code="K7M2P9QX")  # as the slip prints it
    page = Client().post("/progress/", {"n": application.number, "c": "K7M2P9QX"}).content.decode()
    assert "已收录于第 2 号公示，校验通过" in page and ".tlog-proof" in page


def test_the_whole_log_checks_offline_and_a_changed_entry_fails(published, tmp_path):
    client = Client()
    entries = b"".join(client.get("/disclosure/log/entries").streaming_content)
    checkpoint = client.get("/disclosure/log/checkpoint").content.decode()
    (tmp_path / "entries").write_bytes(entries)
    (tmp_path / "checkpoint").write_text(checkpoint)
    args = ["--origin", "cmaf.example.cn/transparency-log", "--key", keys.log_verifier().vkey]
    assert tlog.main(["log", str(tmp_path / "entries"), str(tmp_path / "checkpoint"), *args]) == 0
    assert tlog.main(["checkpoint", str(tmp_path / "checkpoint"), *args]) == 0
    lines = entries.split(b"\n")
    lines[3] = tlog.b64(b"changed").encode()
    (tmp_path / "entries").write_bytes(b"\n".join(lines))
    assert tlog.main(["log", str(tmp_path / "entries"), str(tmp_path / "checkpoint"), *args]) == 1
    (tmp_path / "entries").write_bytes(b"\n".join(entries.split(b"\n")[:5]))
    assert tlog.main(["log", str(tmp_path / "entries"), str(tmp_path / "checkpoint"), *args]) == 1


def test_public_log_files(published):
    client = Client()
    assert client.get("/disclosure/log/checkpoint").content.decode() == public_note(latest_checkpoint())
    assert client.get("/disclosure/log/proof/999999.tlog-proof").status_code == 404
    assert client.get("/disclosure/log/fund_log_verify.py").content.startswith(b'"""The fund')
    page = verify_page()
    assert keys.log_verifier().vkey in page and "cmaf.example.cn/transparency-log" in page


def test_key_rotation_is_logged_and_signed_by_both_keys(published, tmp_path, settings):
    new_file = tmp_path / "new.key"
    call_command("tlog", "keygen", "--file", str(new_file), stdout=io.StringIO())
    old = keys.log_verifier()
    call_command("tlog", "rotate", "--new-key-file", str(new_file), "--reason", "定期更换", stdout=io.StringIO())
    rotation = latest_checkpoint()
    new = tlog.parse_skey(new_file.read_text().strip()).verifier()
    opened = tlog.open_note(rotation.note, [old, new])
    assert set(opened.verified) == {old, new}
    assert json.loads(LogLeaf.objects.get(index=rotation.size - 1).data)["key_rotation"]["new"] == new.vkey
    settings.TLOG_SIGNING_KEY_FILE, settings.TLOG_RETIRED_KEYS = new_file, [old.vkey]
    assert verify_command() == (True, "")
    assert old.vkey in verify_page() and "已退役的公钥" in verify_page()  # proofs from before still check


def test_a_witness_refusal_on_record_fails_verify_and_the_cosign_command(audit):
    honest = latest_checkpoint()
    with transaction.atomic():
        checkpoint_sign(honest.size, tlog.tree_root([tlog.leaf_hash(b"x")] * honest.size), [keys.log_signer()])
    with pytest.raises(CommandError, match="有见证方拒绝副署"):
        call_command("tlog", "cosign", stdout=io.StringIO())
    ok, errors = verify_command()
    assert not ok and "拒绝副署" in errors
    page = verify_page()
    assert page.index("拒绝副署") < page.index("透明日志：不依赖")  # at the top, among the problems


def test_a_receipt_is_never_verified_through_a_leaf_of_another_entry(published, history):
    receipt = Receipt.objects.get(donation__donor=history["person"])
    page = Client().get("/receipts/verify/", {"n": receipt.number, "c": receipt.verification_code}).content.decode()
    assert "校验通过" in page
    other = LogLeaf.objects.filter(kind=LogLeaf.Kind.ROW).exclude(data__contains="林*芳").first()
    mine = LogLeaf.objects.filter(kind=LogLeaf.Kind.ROW, data__contains="林*芳").first()
    behind_the_triggers(lambda: LogLeaf.objects.filter(pk=other.pk).update(ledger_entry_id=mine.ledger_entry_id))
    page = Client().get("/receipts/verify/", {"n": receipt.number, "c": receipt.verification_code}).content.decode()
    assert "记录与所查的账目分录不符" in page
    ok, errors = verify_command()
    assert not ok and "明细行所指的账目分录被改动过" in errors


def test_a_deleted_newer_version_of_a_public_file_is_found(published):
    newest = PublicFile.objects.filter(path="zh-hans/statements/index.html").order_by("-version").first()
    behind_the_triggers(lambda: PublicFile.objects.filter(pk=newest.pk).delete())
    ok, errors = verify_command()
    assert not ok and f"zh-hans/statements/index.html 第 {newest.version} 版已记入透明日志，但数据库中已没有与之相符的记录" in errors


def test_the_offline_verifier_asks_every_witness_named_and_refuses_extra_entries(published, tmp_path):
    client = Client()
    (tmp_path / "checkpoint").write_text(client.get("/disclosure/log/checkpoint").content.decode())
    entries = b"".join(client.get("/disclosure/log/entries").streaming_content)
    stranger = tlog.generate_signer("stranger.example").verifier(tlog.COSIGNATURE_V1).vkey
    args = ["--origin", "cmaf.example.cn/transparency-log", "--key", keys.log_verifier().vkey]
    assert tlog.main(["checkpoint", str(tmp_path / "checkpoint"), *args]) == 0
    assert tlog.main(["checkpoint", str(tmp_path / "checkpoint"), *args, "--witness", stranger]) == 1
    (tmp_path / "entries").write_bytes(entries + tlog.b64(b"one more").encode() + b"\n")
    assert tlog.main(["log", str(tmp_path / "entries"), str(tmp_path / "checkpoint"), *args]) == 1


def receipt_page(history) -> str:
    receipt = Receipt.objects.get(donation__donor=history["person"])
    return Client().get("/receipts/verify/", {"n": receipt.number, "c": receipt.verification_code}).content.decode()


def test_a_receipt_is_verified_only_against_a_checkpoint_the_witnesses_cosigned(
        audit, history, finance_a, settings, django_capture_on_commit_callbacks):
    """With witnesses configured, "校验通过" needs their cosignature (TLOG_WITNESS_QUORUM): the fund's
    own signature is what an operator holding the key could forge."""
    may = latest_checkpoint()
    assert "已收录于第 1 号公示，校验通过" in receipt_page(history) and "audit.example.cn" in receipt_page(history)
    audit.stop()  # June is published while the witness is down: its checkpoint has no cosignature
    with django_capture_on_commit_callbacks(execute=True):
        june = publish("month", dt.date(2023, 6, 1), finance_a)
    assert latest_checkpoint().size > may.size and not latest_checkpoint().cosignatures.exists()
    page = receipt_page(history)  # May's gift: still checked, against May's cosigned checkpoint
    assert "已收录于第 1 号公示，校验通过" in page and f"包含证明对照 {may.size} 条记录" in page
    index = LogLeaf.objects.filter(statement__sequence=1, kind=LogLeaf.Kind.ROW).first().index
    proof = Client().get(f"/disclosure/log/proof/{index}.tlog-proof").content.decode()
    checked = tlog.verify_proof(proof, tlog.leaf_hash(tlog.parse_proof(proof).extra), settings.TLOG_ORIGIN,
                                keys.log_verifiers(), [keys.witnesses()[0].verifier], quorum=1)
    assert checked.checkpoint.size == may.size
    # A row only the uncosigned checkpoint holds waits; it is not "verified" on the fund's word.
    june_row = LogLeaf.objects.filter(statement=june, kind=LogLeaf.Kind.ROW).first()
    (waiting,) = entry_inclusions([june_row.ledger_entry_id])
    assert not waiting.verified and waiting.pending and "等待见证方副署" in waiting.problem
    assert verify_command() == (True, ""), verify_command()[1]  # within TLOG_COSIGN_GRACE: no problem yet
    settings.TLOG_COSIGN_GRACE = 0
    ok, errors = verify_command()
    assert not ok and "只有 0 个见证方副署，需要 1 个" in errors
    # Cosignatures removed from the database: nothing is called verified.
    behind_the_triggers(lambda: Cosignature.objects.all().delete())
    page = receipt_page(history)
    assert "校验通过" not in page and "等待校验" in page


def test_after_a_witness_refused_the_log_no_receipt_says_verified_until_that_witness_cosigns_again(
        audit, history, finance_a, tmp_path, settings, django_capture_on_commit_callbacks):
    refusal = WitnessAttempt.objects.create(witness="audit.example.cn", checkpoint=latest_checkpoint(),
                                            outcome=WitnessAttempt.Outcome.INCONSISTENT, message="split",
                                            at=timezone.now())
    page = receipt_page(history)
    assert "校验通过" not in page and "有见证方拒绝副署本基金的检查点" in page
    # Rows anyone with the database can insert do not clear it: a cosignature that is no signature,
    # and the witness's real line for May copied onto a new checkpoint row (signed before the refusal).
    may = LogCheckpoint.objects.get(pk=refusal.checkpoint_id)
    for note, line in (("junk\n", "— audit.example.cn junk\n"), (may.note, may.cosignatures.get().line)):
        copy = LogCheckpoint.objects.create(size=may.size + 1, root=may.root, note=note, signed_at=timezone.now())
        Cosignature.objects.create(checkpoint=copy, witness="audit.example.cn", line=line,
                                   cosigned_at=timezone.now() + dt.timedelta(hours=1))
        assert unresolved_alarms() == ["audit.example.cn"]
    # Nor does the witness's real, later cosignature of another branch the key holder showed it.
    branch = tlog.Checkpoint(settings.TLOG_ORIGIN, may.size + 1, tlog.leaf_hash(b"another branch")).text
    note = branch + "\n" + tlog.sign(branch, keys.log_signer()).line
    shown = LogCheckpoint.objects.create(size=1, root=b"\0" * 32, note=note, signed_at=timezone.now())
    Cosignature.objects.create(checkpoint=shown, witness="audit.example.cn", cosigned_at=timezone.now(),
                               line=tlog.cosign(branch, audit.signer, int(time.time()) + 5).line)
    assert unresolved_alarms() == ["audit.example.cn"]
    time.sleep(1.1)  # a cosignature's time is whole seconds: the next ones are signed after the refusal
    # A witness new to the log cosigns from nothing: that says nothing about the history refused.
    audit.stop()
    (press,) = start_witnesses(tmp_path, settings, "press.example.cn")
    try:
        settings.TLOG_WITNESSES = [audit.setting, press.setting]
        with django_capture_on_commit_callbacks(execute=True):
            publish("month", dt.date(2023, 6, 1), finance_a)
        assert [c.witness for c in latest_checkpoint().cosignatures.all()] == ["press.example.cn"]
        assert "校验通过" not in receipt_page(history)
        settings.TLOG_WITNESSES = [press.setting]  # nor does taking the witness that refused off the list
        assert "校验通过" not in receipt_page(history)
        WitnessAttempt.objects.bulk_create([  # however many refusals come after it (here resolved ones)
            WitnessAttempt(witness="press.example.cn", checkpoint=may, outcome=WitnessAttempt.Outcome.INCONSISTENT,
                           message="old", at=refusal.at + dt.timedelta(microseconds=n + 1)) for n in range(25)])
        assert unresolved_alarms() == ["audit.example.cn"]
        # The witness that refused cosigns a later checkpoint (it extends what it saw): the pause lifts.
        audit.start()
        settings.TLOG_WITNESSES = [audit.setting, press.setting]
        with django_capture_on_commit_callbacks(execute=True):
            publish("month", dt.date(2023, 7, 1), finance_a)
        assert "已收录于第 1 号公示，校验通过" in receipt_page(history)
        assert "有见证方拒绝副署" in verify_page()  # the refusal stays on record
    finally:
        press.stop()


def test_a_witness_that_lost_its_state_is_not_silently_started_again(
        audit, finance_a, settings, django_capture_on_commit_callbacks):
    assert latest_checkpoint().cosignatures.count() == 1
    audit.stop()  # restarted afresh by its owner: it remembers nothing, would cosign any history
    Path(audit.state_path).unlink()
    Path(marker_path(audit.state_path)).unlink()
    audit.start()
    settings.TLOG_WITNESSES = [audit.setting]
    with django_capture_on_commit_callbacks(execute=True):
        publish("month", dt.date(2023, 6, 1), finance_a)
    attempt = WitnessAttempt.objects.filter(witness="audit.example.cn").latest("id")
    assert attempt.outcome == WitnessAttempt.Outcome.REFUSED and "丢失了状态文件" in attempt.message
    assert not latest_checkpoint().cosignatures.exists()


def test_a_witness_answer_may_hold_other_signature_lines(published, settings):
    signer = tlog.generate_signer("audit.example.cn")
    settings.TLOG_WITNESSES = [f"http://127.0.0.1:9 {signer.verifier(tlog.COSIGNATURE_V1).vkey}"]
    (witness,) = keys.witnesses()
    checkpoint = latest_checkpoint()
    text = tlog.parse_note(checkpoint.note).text
    other = tlog.cosign(text, tlog.generate_signer("audit.example.cn-2027"), 1700000000).line
    line, _ = witness_answer(witness, checkpoint, other + tlog.cosign(text, signer, 1700000000).line)
    assert line == tlog.cosign(text, signer, 1700000000).line
    with pytest.raises(Answer):
        witness_answer(witness, checkpoint, other)


def test_unsigned_publication_leaves_are_tampering_and_never_signed_after(published):
    """A publication signs in its own transaction: its leaves outside every checkpoint mean the
    checkpoints were deleted — `tlog sign` would put the fund's key under whatever is there now."""
    june = published[1]
    first_june = LogLeaf.objects.filter(statement=june).order_by("index").first().index
    behind_the_triggers(lambda: LogCheckpoint.objects.filter(size__gt=first_june).delete())
    ok, errors = verify_command()
    assert not ok and "切勿补签" in errors and "tlog sign 补签" not in errors
    with pytest.raises(CommandError, match="拒绝补签"):
        call_command("tlog", "sign", stdout=io.StringIO())
    assert LogCheckpoint.objects.order_by("-size").first().size <= first_june
    # A checkpoint row anyone with the database can insert does not count as signed.
    LogCheckpoint.objects.create(size=LogLeaf.objects.count(), root=b"\0" * 32, note="junk\n", signed_at=timezone.now())
    with pytest.raises(CommandError, match="拒绝补签"):
        call_command("tlog", "sign", stdout=io.StringIO())


def test_a_retired_witness_keeps_its_cosignatures_valid(audit, settings):
    settings.TLOG_WITNESSES = []
    ok, errors = verify_command()
    assert not ok and "TLOG_RETIRED_WITNESSES" in errors  # taken off the list without saying so
    settings.TLOG_RETIRED_WITNESSES = [audit.vkey]
    assert verify_command() == (True, "")
    # The same witness under a new key (its name kept): the old key, retired, still checks the old lines.
    renewed = tlog.generate_signer("audit.example.cn").verifier(tlog.COSIGNATURE_V1).vkey
    settings.TLOG_WITNESSES = [f"http://127.0.0.1:9 {renewed}"]
    assert verify_command() == (True, "")


def test_entries_and_checkpoint_of_one_size_stay_a_pair(published, tmp_path):
    client = Client()
    size = latest_checkpoint().size
    checkpoint = client.get(f"/disclosure/log/checkpoint?size={size}")
    assert checkpoint["Content-Disposition"] == 'attachment; filename="checkpoint"'
    entries = client.get(f"/disclosure/log/entries?size={size - 3}")
    assert entries["Content-Disposition"] == f'attachment; filename="fund-log-{size - 3}.entries"'
    assert "immutable" in entries["Cache-Control"]
    assert len(b"".join(entries.streaming_content).splitlines()) == size - 3
    for bad in (str(size + 1), "-1", "x", "１２", "9" * 40):
        assert client.get("/disclosure/log/entries", {"size": bad}).status_code == 404
        assert client.get("/disclosure/log/checkpoint", {"size": bad}).status_code == 404
    (tmp_path / "checkpoint").write_bytes(checkpoint.content)
    (tmp_path / "entries").write_bytes(b"".join(client.get(f"/disclosure/log/entries?size={size}").streaming_content))
    args = ["--origin", "cmaf.example.cn/transparency-log", "--key", keys.log_verifier().vkey]
    assert tlog.main(["log", str(tmp_path / "entries"), str(tmp_path / "checkpoint"), *args]) == 0
    for name in ("checkpoint", "entries"):  # both saved with Windows line ends still check
        (tmp_path / name).write_bytes((tmp_path / name).read_bytes().replace(b"\n", b"\r\n"))
    assert tlog.main(["log", str(tmp_path / "entries"), str(tmp_path / "checkpoint"), *args]) == 0
    assert f"?size={size}" in verify_page()
