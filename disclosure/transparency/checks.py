"""What verify says about the log. Everything is recomputed from the leaves' own text, and checked
against keys that are not in the database: the fund's public key (its key file, or settings) and the
witnesses' (settings). So a statement rewritten together with its hash and files, or the log's rows
rewritten to match, is found: the recomputed tree no longer has the root the fund signed — and
re-signing takes the key, and then the witnesses, who remember the old tree, refuse the new one."""
import datetime as dt
import json

from django.conf import settings
from django.db.models import Max
from django.utils import timezone

from .. import tlog
from ..models import Cosignature, LogCheckpoint, LogLeaf, LogNode, PublicFile, Statement, WitnessAttempt
from . import keys
from .leaves import file_data, statement_leaves
from .log import LEVEL_SHIFT, log_size, tree_root_stored

BATCH = 20000


def _leaf_hashes(problems: list[str]) -> list[bytes]:
    """Every leaf's hash, recomputed from its text (a stored hash that differs is a problem)."""
    hashes, expected = [], 0
    rows = LogLeaf.objects.order_by("index").values_list("index", "data", "hash")
    for index, data, stored in rows.iterator(chunk_size=BATCH):
        if index != expected:
            problems.append(f"透明日志第 {expected} 条记录缺失或顺序被打乱（下一条是第 {index} 条）")
            expected = index
        digest = tlog.leaf_hash(data.encode("utf-8"))
        if bytes(stored) != digest:
            problems.append(f"透明日志第 {index} 条记录的内容与其哈希不符，被改动过")
        hashes.append(digest)
        expected += 1
    return hashes


def _statements_in_log(problems: list[str]) -> None:
    """Each published statement's document and rows are its leaves, in order (one statement's text
    in memory at a time: a year's statement is large, the log of ten years is not held at once)."""
    for statement in Statement.objects.filter(state=Statement.State.PUBLISHED).order_by("sequence"):
        label = f"第 {statement.sequence} 号《{statement.title}》"
        rows = list(LogLeaf.objects.filter(statement=statement, kind__in=[LogLeaf.Kind.STATEMENT, LogLeaf.Kind.ROW])
                    .order_by("index").values_list("data", "ledger_entry_id"))
        logged = [data for data, _ in rows]
        expected = statement_leaves(statement)
        if not logged:
            problems.append(f"{label}：不在透明日志中")
        elif [entry for _, entry in rows] != [leaf.ledger_entry_id for leaf in expected]:
            problems.append(f"{label}：透明日志中明细行所指的账目分录被改动过（收据据此查找收录位置）")
        elif logged != [leaf.data for leaf in expected]:
            problems.append(f"{label}：与透明日志中记下的发布文本或明细不符，发布后被改动过")


def _files_in_log(problems: list[str]) -> None:
    """Each public file record (path, version, hash) is a leaf: a record rewritten is found."""
    logged = set(LogLeaf.objects.filter(kind=LogLeaf.Kind.FILE).values_list("data", flat=True))
    recorded = set()
    for record in PublicFile.objects.defer("content").select_related("statement").order_by("path", "version"):
        data = file_data(record, record.statement.sequence if record.statement_id else None)
        recorded.add(data)
        if data not in logged:
            problems.append(f"公开文件 {record.path} 第 {record.version} 版的记录不在透明日志中，记录被改动过")
    for data in sorted(logged - recorded):  # a newer version deleted: the file would roll back unseen
        leaf = json.loads(data)
        problems.append(f"公开文件 {leaf['file']} 第 {leaf['version']} 版已记入透明日志，但数据库中已没有与之相符的记录"
                        f"（被删除或改动）")


def _nodes(read, size: int, problems: list[str]) -> None:
    """The stored subtree hashes that proofs are made of, against the recomputed tree."""
    bad = 0
    for key, stored in LogNode.objects.values_list("key", "hash").iterator(chunk_size=BATCH):
        level, index = key >> LEVEL_SHIFT, key & ((1 << LEVEL_SHIFT) - 1)
        if (index + 1) << level > size or read(level, index) != bytes(stored):
            bad += 1
    if bad:
        problems.append(f"透明日志的 {bad} 个存储节点与重算的树不符：据此生成的证明将无法通过校验")


def _checkpoints(hashes: list[bytes], read, problems: list[str]) -> None:
    verifiers = keys.log_verifiers()
    if not verifiers:
        problems.append("没有透明日志的公钥（签名密钥文件或 TLOG_PUBLIC_KEY）：无法校验检查点签名")
        return
    witness_keys = _witness_keys()
    latest = None
    for checkpoint in LogCheckpoint.objects.prefetch_related("cosignatures").order_by("size", "id"):
        label = f"{checkpoint.size} 条记录的检查点"
        try:
            checked = tlog.verify_checkpoint(checkpoint.note, settings.TLOG_ORIGIN, verifiers)
        except tlog.TlogError as exc:
            problems.append(f"{label}：签名无效，不是本基金的密钥所签（{exc}）")
            continue
        if checked.checkpoint.size > len(hashes) or tlog.range_root(read, 0, checked.checkpoint.size) \
                != checked.checkpoint.root:
            problems.append(f"{label}：与日志现有的记录不符，日志在签名后被截断、改写或重排")
        for cosignature in checkpoint.cosignatures.all():
            candidates = witness_keys.get(cosignature.witness)
            if candidates is None:  # a witness taken off the list belongs in TLOG_RETIRED_WITNESSES
                problems.append(f"{label}：副署者“{cosignature.witness}”不是本基金配置的见证方"
                                f"（不再请求的见证方，其公钥应列入 TLOG_RETIRED_WITNESSES）")
                continue
            try:
                tlog.open_note(checkpoint.note + cosignature.line, candidates)
            except tlog.TlogError:
                problems.append(f"{label}：见证方“{cosignature.witness}”的副署无效（不是其密钥所签，或检查点被改动）")
        latest = checked.checkpoint
    signed = latest.size if latest else 0
    if hashes and signed < len(hashes):
        publications = unsigned_publications(signed)
        if publications:  # a publication signs in its own transaction: its leaves unsigned were tampered with
            problems.append(f"透明日志第 {publications[0]} 条起有 {len(publications)} 条公示或明细记录不在任何有效检查点中："
                            f"发布时必签入检查点，检查点被删除或日志被改写，切勿补签")
        else:
            problems.append(f"透明日志有 {len(hashes) - signed} 条公开文件记录尚未签入检查点（签名密钥缺失时写入）："
                            f"请用 manage.py tlog sign 补签")


def last_valid_checkpoint() -> tlog.Checkpoint | None:
    """The latest checkpoint whose note verifies with the fund's keys (not merely the latest row:
    a row anyone with the database can insert)."""
    verifiers = keys.log_verifiers()
    for note in LogCheckpoint.objects.order_by("-size", "-id").values_list("note", flat=True).iterator():
        try:
            return tlog.verify_checkpoint(note, settings.TLOG_ORIGIN, verifiers).checkpoint
        except tlog.TlogError:
            continue
    return None


def unsigned_publications(signed: int) -> list[int]:
    """Statement, row and key leaves after the last valid checkpoint: never legitimately unsigned."""
    return list(LogLeaf.objects.filter(index__gte=signed).exclude(kind=LogLeaf.Kind.FILE)
                .order_by("index").values_list("index", flat=True))


def _awaiting_witnesses(problems: list[str]) -> None:
    """The latest checkpoint still short of the witnesses' quorum after the grace period: a witness
    down, or cosignatures removed — either way readers cannot check their proofs yet."""
    configured = keys.witnesses()
    quorum = keys.witness_quorum(configured)
    latest = LogCheckpoint.objects.order_by("-size", "-id").first()
    grace = dt.timedelta(seconds=settings.TLOG_COSIGN_GRACE)
    if not quorum or latest is None or timezone.now() - latest.signed_at < grace:
        return
    names = {witness.name for witness in configured}
    cosigned = set(latest.cosignatures.filter(witness__in=names).values_list("witness", flat=True))
    if len(cosigned) < quorum:
        problems.append(f"最新检查点（{latest.size} 条记录，签于 {timezone.localtime(latest.signed_at):%Y-%m-%d %H:%M}）"
                        f"只有 {len(cosigned)} 个见证方副署，需要 {quorum} 个：收据与办理进度页暂不能校验新收录的记录；"
                        f"请检查见证方是否在线，再运行 manage.py tlog cosign")


def _refusals(problems: list[str]) -> None:
    """A witness's refusal of a checkpoint that does not extend what it cosigned stays a problem: the
    log was rewritten or shown two ways, whatever the tables say now."""
    for attempt in split_alarms():
        problems.append(f"见证方“{attempt.witness}”于 {attempt.at:%Y-%m-%d %H:%M} 拒绝副署 {attempt.checkpoint.size} 条记录的"
                        f"检查点：与其此前副署的记录不一致，透明日志可能被改写或出现分叉")


def log_problems() -> list[str]:
    problems: list[str] = []
    _refusals(problems)
    hashes = _leaf_hashes(problems)
    read = tlog.memory_reader(hashes) if hashes else (lambda level, index: tlog.EMPTY_ROOT)
    _statements_in_log(problems)
    _files_in_log(problems)
    _nodes(read, len(hashes), problems)
    _checkpoints(hashes, read, problems)
    _awaiting_witnesses(problems)
    return problems


def unresolved_alarms() -> list[str]:
    """Witnesses (by name, configured or not) that refused a checkpoint as inconsistent and have not
    cosigned since: only the witness that saw the other history can say the log goes on from it.
    Every refusal on record counts, not a page's worth; taking the witness off the list does not
    clear it, and a witness new to the log cosigns from nothing, which proves nothing."""
    refused = (WitnessAttempt.objects.filter(outcome=WitnessAttempt.Outcome.INCONSISTENT)
               .values("witness").annotate(last=Max("at")).order_by("witness"))
    if not refused:
        return []
    candidates = _witness_keys()
    return [row["witness"] for row in refused
            if not _cosigned_since(row["witness"], row["last"], candidates.get(row["witness"], []))]


def _witness_keys() -> dict[str, list[tlog.Verifier]]:
    """Each witness's keys by name, configured and retired: a witness may have changed its key."""
    found: dict[str, list[tlog.Verifier]] = {}
    for verifier in [*(witness.verifier for witness in keys.witnesses()), *keys.retired_witness_verifiers()]:
        found.setdefault(verifier.name, []).append(verifier)
    return found


def _cosigned_since(name: str, since, verifiers: list[tlog.Verifier]) -> bool:
    """A cosignature made after `since` by the time it signed (a row's own date, or an old line
    copied onto a new row, proves nothing)."""
    return any(stamp > since.timestamp() for _, stamp in genuine_cosignatures(name, verifiers, since))


def genuine_cosignatures(name: str, verifiers: list[tlog.Verifier], since=None):
    """This witness's cosignatures that prove something, largest checkpoint first, as (size, time):
    the line verifies with one of its keys, on a checkpoint the fund signed of this log's own tree
    (the key holder could have shown the witness another branch). The rows' columns are only a
    pointer — anyone with the database can insert rows — so sizes and times are the signed ones."""
    fund, size_now = keys.log_verifiers(), log_size()
    rows = Cosignature.objects.filter(witness=name)
    if since is not None:
        rows = rows.filter(cosigned_at__gt=since)  # a first sieve; the signed time decides
    for note, line in rows.order_by("-checkpoint__size").values_list("checkpoint__note", "line").iterator():
        try:
            signed = tlog.verify_checkpoint(note, settings.TLOG_ORIGIN, fund).checkpoint
            opened = tlog.open_note(note + line, verifiers)
        except tlog.TlogError:
            continue
        stamps = [opened.verified[verifier] for verifier in verifiers if verifier in opened.verified]
        if stamps and signed.size <= size_now and tree_root_stored(signed.size) == signed.root:
            yield signed.size, max(stamps)


def split_alarms() -> list[WitnessAttempt]:
    """Witnesses' refusals of a checkpoint inconsistent with what they cosigned: the split shown."""
    return list(WitnessAttempt.objects.filter(outcome=WitnessAttempt.Outcome.INCONSISTENT)
                .select_related("checkpoint").order_by("-at")[:20])

