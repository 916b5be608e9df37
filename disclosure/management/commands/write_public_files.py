"""`manage.py write_public_files`: write every published statement's public files again, each to
the bytes recorded when it was published (after a deployment to a new server, if the folder was
lost, or to undo an edit on disk; the pages also rewrite a missing file). A file whose record the
database no longer matches is not written: it is reported, and the exit status is 1."""
from django.core.management.base import BaseCommand, CommandError

from disclosure.files import all_files_write


class Command(BaseCommand):
    help = "按发布时记录的哈希重新写出已发布收支公示的公开页面和下载文件；与记录不符的不写，并报告。"

    def handle(self, *args, **options):
        count, problems = all_files_write()
        self.stdout.write(f"已写出 {count} 份公示的文件")
        if problems:
            for problem in problems:
                self.stderr.write(problem)
            raise CommandError(f"有 {len(problems)} 个文件与发布时的记录不符，未重写")
