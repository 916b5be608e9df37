"""`manage.py screen --year 2022 --threshold 50000 [--json]`"""
import json
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from assistance.intake.services import screening_run_create, screening_run_execute
from fundportal.models import User


class Command(BaseCommand):
    help = "按年度和个人自付起点筛查预警对象，保存筛查批次及其结果。"

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--threshold", default="50000")
        parser.add_argument("--include-nonlocal", action="store_true", help="也包括外地户籍")
        parser.add_argument("--include-deceased", action="store_true", help="也包括已死亡人员")
        parser.add_argument("--min-settlements", type=int, default=1)
        parser.add_argument("--user", default=None, help="记为发起人的用户名（默认：第一个超级用户）")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **options):
        try:
            threshold = Decimal(options["threshold"])
        except InvalidOperation:
            raise CommandError("--threshold 应为金额，例如 50000") from None
        username = options["user"]
        user = (User.objects.filter(username=username).first() if username
                else User.objects.filter(is_superuser=True).order_by("pk").first())
        if user is None:
            raise CommandError("找不到发起人：请用 --user 指定一个已存在的用户名")
        if not user.is_active or not user.has_perm("assistance.add_screeningrun"):
            raise CommandError(f"用户 {user.username} 没有发起筛查的权限：请指定医保局工作人员")
        try:
            run = screening_run_create(year=options["year"], threshold=threshold, acting_user=user, queue=False,
                                       local_only=not options["include_nonlocal"],
                                       exclude_deceased=not options["include_deceased"],
                                       min_settlements=options["min_settlements"])
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from exc
        run = screening_run_execute(run=run)
        if options["json"]:
            self.stdout.write(json.dumps({"run": run.pk, "year": run.year, "threshold": str(run.threshold),
                                          "targets": run.target_count, "seconds": float(run.seconds or 0)}))
        else:
            self.stdout.write(run.message)
