"""Publishing the annual report: one service, finance only, once per year, into the statements'
hash chain (a Statement of kind ANNUAL, chained exactly as every statement is: disclosure/services.py).

It is built and published in one transaction — there is no draft to go stale: the staff page shows
a preview (report_content) and publishing reads the ledger again under the locks. The locks are
those of every publication, in their order: the chain head (publications one at a time: a second
click or a colleague publishing the same year waits, then finds it published and is refused), then
the fund account (every posting takes it), held while the year is read and closed, so a late entry
dated in the year is booked after it and the published figures stay the ledger's for good.
"""
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from fundportal.audit import records_actor
from fundportal.services import fund_account_lock, fund_period_close
from fundportal.states import state_create

from ..models import ChainHead, Statement
from ..services import _publish, _require_publisher
from .content import report_content, report_error, title_for, year_bounds


def annual_report_published(year: int) -> Statement | None:
    start, end = year_bounds(year)
    return Statement.objects.filter(kind=Statement.Kind.ANNUAL, period_start=start, period_end=end).first()


def _agrees_with_year_statement(content: dict, year: int) -> None:
    """A published year statement of the same year and this report state one ledger: if they ever
    differed, publishing would put two truths in the chain."""
    reference = content["year_statement"]
    if reference is None:
        return
    statement = Statement.objects.get(sequence=reference["sequence"])
    finance = content["finance"]
    if (Decimal(statement.content["income"]["total"]) != Decimal(finance["income"]["total"])
            or Decimal(statement.content["payouts"]["total"]) != Decimal(finance["payouts"]["total"])
            or statement.content["closing_balance"] != finance["closing_balance"]):
        raise ValidationError(f"{year}年度账目与已发布的《{statement.title}》不一致，请先核对账目并发布更正说明")


@records_actor
@transaction.atomic
def annual_report_publish(*, year: int, acting_user) -> Statement:
    """Build the year's report from the recorded data and publish it. Refused (in Chinese) for a year
    that has not ended, one before the fund, one with nothing recorded, and a year already reported."""
    _require_publisher(acting_user)
    if not isinstance(year, int) or isinstance(year, bool) or not 1000 <= year <= 9999:
        raise ValidationError("年度应为四位数字")
    ChainHead.locked()  # first, as every publication: the same year published twice waits here
    if (existing := annual_report_published(year)) is not None:
        raise ValidationError(f"《{existing.title}》已于 {timezone.localtime(existing.published_at):%Y-%m-%d} 发布"
                              f"（第 {existing.sequence} 号），不能重复发布；如有错误请发布更正说明")
    if message := report_error(year):
        raise ValidationError(message)
    account = fund_account_lock()
    content = report_content(year)
    _agrees_with_year_statement(content, year)
    start, end = year_bounds(year)
    fund_period_close(account=account, through=end, acting_user=acting_user,
                      reason=f"发布《{title_for(year)}》，结账至 {end.isoformat()}")
    try:
        with transaction.atomic():  # the one-per-period constraint is the backstop of the check above
            report = state_create(Statement, acting_user=acting_user, reason="年度报告", kind=Statement.Kind.ANNUAL,
                                  period_start=start, period_end=end, title=title_for(year),
                                  state=Statement.State.BUILT, requested_by=acting_user, built_at=timezone.now(),
                                  content=content)
    except IntegrityError:
        raise ValidationError(f"《{title_for(year)}》已发布，不能重复发布") from None
    return _publish(report, acting_user)
