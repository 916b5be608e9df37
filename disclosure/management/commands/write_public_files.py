"""`manage.py write_public_files`: write every published statement's public files again (after a
deployment to a new server, or if the folder was lost; the pages also rewrite a missing file)."""
from django.core.management.base import BaseCommand

from disclosure.pages import all_files_write


class Command(BaseCommand):
    help = "重新生成已发布收支公示的公开页面和下载文件。"

    def handle(self, *args, **options):
        self.stdout.write(f"已写出 {all_files_write()} 份公示的文件")
