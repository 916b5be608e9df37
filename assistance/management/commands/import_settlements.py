"""`manage.py import_settlements FILE --year 2022 [--month 3] [--json] [--user msb]`"""
import json
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from assistance.intake.services import settlement_import_create, settlement_import_run
from fundportal.models import User


class Command(BaseCommand):
    help = "导入一年的医保结算数据（.csv UTF-8/GBK 或 .xlsx），校验后写入；错误行可在后台下载。"

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--month", type=int, default=None,
                            help="文件是该年哪个月的结算数据：每行须在该月内，重新导入该月会整月替换（默认：按结算编号合并）")
        parser.add_argument("--user", default=None, help="记为导入人的用户名（默认：第一个超级用户）")
        parser.add_argument("--json", action="store_true", help="只输出一行 JSON")

    def handle(self, *args, file: Path, year: int, month: int | None, user: str | None, json: bool, **options):
        if not file.is_file():
            raise CommandError(f"文件不存在：{file}")
        acting_user = (User.objects.filter(username=user).first() if user
                       else User.objects.filter(is_superuser=True).order_by("pk").first())
        if acting_user is None:
            raise CommandError("找不到导入人：请用 --user 指定一个已存在的用户名")
        if not acting_user.is_active or not acting_user.has_perm("assistance.add_settlementimport"):
            raise CommandError(f"用户 {acting_user.username} 没有导入医保结算数据的权限：请指定医保局工作人员")
        try:
            job = settlement_import_create(year=year, month=month, file_name=file.name,
                                           acting_user=acting_user)
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from exc
        job = settlement_import_run(job=job, path=file)
        summary = {"job": job.pk, "status": job.state, "imported": job.rows_imported, "rejected": job.rows_rejected,
                   "unchanged": job.rows_unchanged, "people_created": job.people_created,
                   "rows": job.rows_total, "seconds": float(job.seconds or 0)}
        if json:
            self.stdout.write(_json(summary))
        else:
            self.stdout.write(job.message)
        if job.state != job.State.DONE:
            raise CommandError(job.message)


def _json(data) -> str:
    return json.dumps(data, ensure_ascii=False)
