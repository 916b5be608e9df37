"""`manage.py load_demo`: the seed fund's first year, June 2023 to January 2024, each event on its
own date in the story (demo/story.py): the city, a user per role, the donations, the screening, the
review, the applications, the council, the payouts and the statements."""
import unicodedata

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Sum

from demo.appeals import load_appeals
from demo.council import load_council
from demo.disclosure import load_annual_report, load_statements
from demo.donations import donation_summary, load_donations
from demo.medical import SETTLEMENT_YEAR, load_medical_year
from demo.outreach import load_outreach
from demo.regions import load_regions
from demo.story import FUND_SET_UP, on
from demo.review import load_applications, load_review_cases
from demo.users import MARKER_USERNAME, load_users, user_table_rows
from assistance.models import Application, Payout, ReviewCase
from fundportal.models import User
from fundportal.money import format_money

BASE_URL = "http://127.0.0.1:8000"


def sample_application() -> Application | None:
    """A family whose case went all the way to 到账, to try on /progress/."""
    return Application.objects.filter(state=Application.State.PAID).order_by("number").first()


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> list[str]:
    widths = [max(_width(row[i]) for row in [header, *rows]) for i in range(len(header))]

    def line(row):
        return "  ".join(cell + " " * (width - _width(cell)) for cell, width in zip(row, widths)).rstrip()

    return [line(header), "  ".join("-" * width for width in widths), *map(line, rows)]


class Command(BaseCommand):
    help = "载入演示数据：瑞安市行政区域、每个角色一个用户、2023 年基金的捐赠。已载入时只打印用户表。"

    def handle(self, *args, **options):
        if not settings.DEBUG:
            # The demo's passwords are printed in the README: never on a production database.
            raise CommandError("生产环境（DEBUG=False）不能载入演示数据")
        if User.objects.filter(username=MARKER_USERNAME).exists():
            self.stdout.write(f"演示数据已经载入（用户 {MARKER_USERNAME} 已存在），本次跳过。")
        else:
            with transaction.atomic():
                with on(FUND_SET_UP, 8):  # the portal's users are set up with the fund
                    load_regions()
                    users = load_users()
                load_donations(acting_user=users[MARKER_USERNAME])
            self.stdout.write(f"正在生成并导入 {SETTLEMENT_YEAR} 年医保结算数据（演示用，约半分钟）……")
            job, run = load_medical_year(acting_user=users["msb"])
            self.stdout.write(f"  {job.message}；{run.message}，已共享给民政局")
            states = load_review_cases(users=users)
            self.stdout.write("  民政审核：" + "，".join(f"{ReviewCase.State(state).label} {count} 件"
                                                       for state, count in states.items()))
            applications = load_applications(users=users)
            self.stdout.write("  救助申请：" + "，".join(f"{Application.State(state).label} {count} 份"
                                                       for state, count in applications.items() if count))
            appeal = load_appeals(users=users)
            if appeal is not None:
                self.stdout.write(f"  复核：{appeal.number} {appeal.get_state_display()}，案件退回村（社区）重新甄别")
            council = load_council(users=users)
            self.stdout.write(f"  理事会：签署决议 {council['resolutions']} 项；救助金已发放 {council['paid']} 笔，"
                              f"合计 {format_money(council['paid_total'])} 元（其中 1 笔更正账号后重新支付）")
            self.stdout.write("  公示：" + "；".join(f"异议 {o.number} {o.get_state_display()}" for o in council["objections"]))
            self.stdout.write("  应助未助：" + "，".join(f"{label} {n} 件" for label, n in load_outreach(users=users).items()))
            self.stdout.write(f"  信息公开：已发布 2023 年收支公示 {load_statements(users=users)} 份"
                              f"（基金设立后的 6—12 月、第二至四季度、全年）")
            report = load_annual_report(users=users)
            self.stdout.write(f"  信息公开：已发布《{report.title}》（第 {report.sequence} 号）")
            self.stdout.write(self.style.SUCCESS("演示数据载入完成。"))

        summary = donation_summary()
        paid_out = Payout.objects.filter(state=Payout.State.PAID).aggregate(total=Sum("amount"))["total"] or 0
        out = [
            "",
            f"捐赠方 {summary.donors} 个，已到账捐赠 {summary.donations} 笔，合计 {format_money(summary.received_total)} 元",
            f"  其中医疗机构 {summary.medical_donors} 家，合计 {format_money(summary.medical_total)} 元",
            f"  认捐协议总额 {format_money(summary.pledge_total)} 元（未到账部分不计入收入）",
            f"救助金支出 {format_money(paid_out)} 元；基金余额 {format_money(summary.fund_balance)} 元（捐赠到账减救助金支出）",
            "",
            *_table(("用户名", "角色", "密码", "服务区域"), user_table_rows()),
            "",
            f"管理平台：{BASE_URL}/admin/",
            f"收据核验：{BASE_URL}/receipts/verify/",
            f"信息公开：{BASE_URL}/disclosure/",
        ]
        if receipt := summary.sample_receipt:
            out += [
                f"  试一试：收据编号 {receipt.number}，验证码 {receipt.verification_code}（{receipt.donor_name}）",
                f"  {BASE_URL}/receipts/verify/?n={receipt.number}&c={receipt.verification_code}",
            ]
        if application := sample_application():
            out += [
                f"办理进度：{BASE_URL}/progress/",
                f"  试一试：申请编号 {application.number}，查询码 {application.lookup_code}（已到账的一户）",
                f"  {BASE_URL}/progress/?n={application.number}&c={application.lookup_code}",
            ]
        out.append(f"救助公示：{BASE_URL}/publicity/")
        self.stdout.write("\n".join(out))
