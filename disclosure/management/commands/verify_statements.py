"""`manage.py verify_statements`: recompute the published statements' hash chain. Exit status 1
if anything was changed after publication (for cron or monitoring)."""
from django.core.management.base import BaseCommand, CommandError

from disclosure.models import Statement
from disclosure.pages import files_problems
from disclosure.services import chain_problems


class Command(BaseCommand):
    help = "核验已发布收支公示的哈希链（重新计算每份的 SHA-256 及与上一份的链接）和公开下载文件。"

    def handle(self, *args, **options):
        problems = chain_problems() + files_problems()
        count = Statement.objects.filter(state=Statement.State.PUBLISHED).count()
        if problems:
            for problem in problems:
                self.stderr.write(problem)
            raise CommandError(f"公示链有 {len(problems)} 处问题（共 {count} 份公示）")
        self.stdout.write(self.style.SUCCESS(f"共 {count} 份公示，哈希链完整"))
