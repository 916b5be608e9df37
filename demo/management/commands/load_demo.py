"""`manage.py load_demo`: the seed fund's first two years, June 2023 to early 2025, each event on
its own date in the story (demo/story.py): the city, a user per role, the donations, the screening,
the review, the applications, the council, the payouts and the statements of 2023; then 2024's
monthly settlement files, follow-ups, re-reviews, second scheme, payouts and statements."""
import unicodedata
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Sum

from demo.appeals import load_appeals
from demo.council import load_council
from demo.council2024 import load_applications_2024, load_council_2024, load_statements_2024
from demo.disclosure import load_annual_report, load_statements
from demo.donations import donation_summary, load_donations
from demo.medical import SETTLEMENT_YEAR, load_medical_year
from demo.outreach import load_outreach
from demo.regions import load_regions
from demo.story import FUND_SET_UP, on
from demo.review import load_applications, load_review_cases
from demo.users import MARKER_USERNAME, load_users, user_table_rows
from demo.year2024 import load_second_year
from assistance.models import Application, Payout, ReviewCase
from disclosure.transparency import keys
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


def _counts(counts: dict[str, int]) -> str:
    return "，".join(f"{label} {count} 件" for label, count in counts.items())


class Command(BaseCommand):
    help = "载入演示数据：瑞安市行政区域、每个角色一个用户、基金 2023—2024 两年的全部业务。已载入时只打印用户表。"

    def handle(self, *args, **options):
        if not settings.DEBUG:
            # The demo's passwords are printed in the README: never on a production database.
            raise CommandError("生产环境（DEBUG=False）不能载入演示数据")
        if User.objects.filter(username=MARKER_USERNAME).exists():
            self.stdout.write(f"演示数据已经载入（用户 {MARKER_USERNAME} 已存在），本次跳过。")
        else:
            signing_key = Path(settings.TLOG_SIGNING_KEY_FILE)
            if not signing_key.exists():  # the demo's own: a deployment makes its key once, kept offline
                keys.key_file_write(signing_key, settings.TLOG_ORIGIN)
                self.stdout.write(f"已生成透明日志签名密钥 {signing_key}（演示用）")
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
            self._second_year(users)
            self.stdout.write(self.style.SUCCESS("演示数据载入完成。"))

        self._print_summary()

    def _second_year(self, users) -> None:
        self.stdout.write("2024 年（第二年）：")
        year = load_second_year(users=users)
        run = year["run"]
        self.stdout.write(f"  医保：2023 年结算数据按月导入 {year['files']} 个文件（含 3 月更正重报）；{run.message}；"
                          f"死亡、迁出人员终止审核 {year['stopped']['cases']} 件、申请 {year['stopped']['applications']} 份")
        self.stdout.write(f"  民政审核（2023 年新预警对象）：{year['review']['new']} 件，"
                          f"其中 {year['review']['waiting_for_village']} 件待韩田村甄别")
        self.stdout.write(f"  防止返贫监测：{_counts(year['follow_ups'])}")
        self.stdout.write(f"  资格到期复审：开启 {year['rechecks']['opened']} 件，已重新认定 {year['rechecks']['decided']} 件")
        self.stdout.write(f"  捐赠：{year['income']} 笔（含银行认捐第 2 期）")
        self.stdout.write(f"  救助申请（2023 年费用）：{load_applications_2024(users=users)} 份")
        council = load_council_2024(users=users)
        self.stdout.write(f"  理事会：批准 {council['scheme']}；救助金已发放 "
                          f"{council['paid']} 笔，合计 {format_money(council['paid_total'])} 元")
        self.stdout.write(f"  信息公开：已发布 2024 年收支公示及年度报告 {load_statements_2024(users=users)} 份"
                          "（四个季度、全年、年度工作报告及财务会计报告）")

    def _print_summary(self) -> None:
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
