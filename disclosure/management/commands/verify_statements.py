"""`manage.py verify_statements`: recompute the published statements' hash chain and check every
public file (pages, overview, list, PDFs, CSV, JSON) against the hash recorded when it was written.
Exit status 1 if anything was changed after publication (for cron or monitoring)."""
from django.core.management.base import BaseCommand, CommandError

from disclosure.models import Statement
from disclosure.transparency.log import log_size
from disclosure.verification import problems as verification_problems


class Command(BaseCommand):
    help = ("核验已发布收支公示的哈希链（重新计算每份的 SHA-256 及与上一份的链接）、全部公开文件（页面、PDF、下载文件）"
            "和透明日志（重算全部记录与树，按基金公钥与见证方公钥校验检查点和副署）。")

    def handle(self, *args, **options):
        problems = verification_problems()
        count = Statement.objects.filter(state=Statement.State.PUBLISHED).count()
        if problems:
            for problem in problems:
                self.stderr.write(problem)
            raise CommandError(f"公示链有 {len(problems)} 处问题（共 {count} 份公示）")
        self.stdout.write(self.style.SUCCESS(f"共 {count} 份公示，哈希链完整；透明日志 {log_size()} 条记录与签名检查点一致"))
