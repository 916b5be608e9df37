"""`manage.py tlog …`: the transparency log's operator tasks.

  keygen [--file PATH]      a new signing key in a file only its owner can read (never over one)
  sign                      a checkpoint for leaves appended while the key was missing
  cosign                    ask the witnesses now (they are also asked after each publication)
  rotate --new-key-file F --reason R
                            retire the current key: logged as a leaf, and that checkpoint is
                            signed by both keys; then follow the printed steps (README, 密钥更换)
"""
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from disclosure import tlog
from disclosure.models import ChainHead
from disclosure.transparency import keys
from disclosure.transparency.checks import last_valid_checkpoint, unsigned_publications
from disclosure.transparency.leaves import key_leaf
from disclosure.transparency.log import checkpoint_sign, log_append, log_size, tree_root_stored
from disclosure.transparency.witnesses import cosign_latest


class Command(BaseCommand):
    help = "透明日志：生成签名密钥（keygen）、补签检查点（sign）、请见证方副署（cosign）、更换密钥（rotate）。"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        keygen = sub.add_parser("keygen")
        keygen.add_argument("--file", type=Path, help="默认为 TLOG_SIGNING_KEY_FILE")
        sub.add_parser("sign")
        sub.add_parser("cosign")
        rotate = sub.add_parser("rotate")
        rotate.add_argument("--new-key-file", type=Path, required=True)
        rotate.add_argument("--reason", required=True)

    def handle(self, *args, action, **options):
        try:
            getattr(self, action)(**options)
        except keys.KeyMissing as exc:
            raise CommandError(str(exc)) from None

    def keygen(self, file=None, **options):
        path = file or Path(settings.TLOG_SIGNING_KEY_FILE)
        try:
            signer = keys.key_file_write(path, settings.TLOG_ORIGIN)
        except FileExistsError:
            raise CommandError(f"{path} 已存在：不会覆盖现有密钥（更换密钥请用 tlog rotate）") from None
        self.stdout.write(f"签名密钥已写入 {path}（仅属主可读）。公钥（在核验页公布，交给各见证方）：")
        self.stdout.write(signer.verifier().vkey)

    @transaction.atomic
    def sign(self, **options):
        ChainHead.locked()
        size = log_size()
        latest = last_valid_checkpoint()  # signed with the fund's key: not whatever row is newest
        if size == 0 or (latest and latest.size == size):
            self.stdout.write(f"无需补签：日志 {size} 条记录均已签入检查点")
            return
        signed = latest.size if latest else 0
        if latest and tree_root_stored(signed) != latest.root:
            raise CommandError(f"拒绝补签：日志的前 {signed} 条记录与基金签署的检查点不符，签名后被改写；"
                               f"请先运行 manage.py verify_statements 查明")
        publications = unsigned_publications(signed)
        if publications:
            raise CommandError(f"拒绝补签：第 {publications[0]} 条起有 {len(publications)} 条公示或明细记录不在检查点中。"
                               f"发布时必签入检查点，它们未签说明检查点被删除或日志被改写；请先运行 "
                               f"manage.py verify_statements 查明，切勿用基金的密钥签署")
        checkpoint_sign(size, tree_root_stored(size), [keys.log_signer()])
        self.stdout.write(self.style.SUCCESS(f"已签署 {size} 条记录的检查点"))

    def cosign(self, **options):
        outcomes = cosign_latest()
        if not keys.witnesses():
            self.stdout.write("未配置见证方（TLOG_WITNESSES）")
        for name, outcome in outcomes.items():
            self.stdout.write(f"{name}: {outcome}")
        if "inconsistent" in outcomes.values():
            raise CommandError("有见证方拒绝副署：检查点与其此前副署的记录不一致，透明日志可能被改写或出现分叉")

    def rotate(self, new_key_file, reason, **options):
        old = keys.log_signer()
        try:
            new = tlog.parse_skey(new_key_file.read_text(encoding="ascii").strip())
        except (OSError, tlog.TlogError) as exc:
            raise CommandError(f"新密钥文件 {new_key_file} 无法读取或格式不对：{exc}") from None
        if new.name != settings.TLOG_ORIGIN or new.verifier() == old.verifier():
            raise CommandError("新密钥须以日志名称命名，且不同于现用密钥（用 tlog keygen --file 生成）")
        with transaction.atomic():
            checkpoint = log_append([key_leaf(old.verifier().vkey, new.verifier().vkey, reason)], signers=[old, new])
        self.stdout.write(self.style.SUCCESS(f"已记入日志：{checkpoint.size} 条记录的检查点由新旧两把密钥共同签署。"))
        self.stdout.write("接下来：1) 用新密钥文件替换 TLOG_SIGNING_KEY_FILE；2) 把旧公钥加入 TLOG_RETIRED_KEYS：")
        self.stdout.write(f"   {old.verifier().vkey}")
        self.stdout.write("3) 请各见证方在 --log 中加入新公钥（保留旧公钥）：")
        self.stdout.write(f"   {settings.TLOG_ORIGIN}={new.verifier().vkey}")
        self.stdout.write("4) 在核验页与部署说明中公布新公钥；5) 运行 manage.py tlog cosign。")
