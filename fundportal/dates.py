"""Dates as spreadsheets write them: 2022/3/5, 2022-03-05, 2022.3.5, 2022年3月5日, 20220305,
Excel serial numbers (44625) and real date cells."""
import calendar
import datetime as dt
import logging
import re
from dataclasses import dataclass

import chinese_calendar
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.deconstruct import deconstructible

from .text import to_half_width

logger = logging.getLogger(__name__)

_EXCEL_EPOCH = dt.date(1899, 12, 30)  # Excel's day 0, accounting for its 1900 leap-year bug
_SEPARATED = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_SERIAL = re.compile(r"^\d{5}(\.0+)?$")


def parse_date(value) -> dt.date:
    """Return a date or raise ValueError with a Chinese message."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _from_serial(int(value), value)
    text = to_half_width(str(value or "")).strip()
    if not text:
        raise ValueError("日期为空")
    if match := _SEPARATED.match(text) or _COMPACT.match(text):
        year, month, day = (int(part) for part in match.groups()[:3])
        try:
            return dt.date(year, month, day)
        except ValueError:
            raise ValueError(f"日期“{value}”不存在") from None
    if _SERIAL.match(text):
        return _from_serial(int(text.split(".")[0]), value)
    raise ValueError(f"无法识别的日期“{value}”，请写成 2023-03-05 或 2023/3/5")


def _from_serial(serial: int, original) -> dt.date:
    # 20000..80000 covers 1954..2119: anything else is not a date somebody meant.
    if not 20000 <= serial <= 80000:
        raise ValueError(f"无法识别的日期“{original}”")
    return _EXCEL_EPOCH + dt.timedelta(days=serial)


def is_working_day(day: dt.date) -> bool:
    """A day people work in China: Monday to Friday except public holidays (法定节假日), plus the
    weekend days that replace them (调休). chinese-calendar knows each year once the State Council
    has announced it; past its last year the weekends alone are used, and that is logged once a year."""
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:  # a year the calendar does not cover yet
        if day.year not in _years_warned:
            _years_warned.add(day.year)
            logger.warning("chinese-calendar has no holidays for %s: working days there count weekends only "
                           "(upgrade chinese-calendar after the State Council's notice)", day.year)
        return day.weekday() < 5


_years_warned: set[int] = set()


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later, or the month's last day when it has no such day (a decision of
    31 August lasts to 28/29 February, not into March)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def add_working_days(day: dt.date, days: int) -> dt.date:
    """The date `days` working days after `day` (is_working_day): a limit of 5 working days set on
    2026-09-30 ends on 2026-10-13, after 国庆 (the Saturday 10-10 is a 调休 workday), not on 2026-10-07."""
    while days > 0:
        day += dt.timedelta(days=1)
        if is_working_day(day):
            days -= 1
    return day


# ------------------------------------------------------------------------------ date ranges
#
# Every DateField of every model has a range, by what kind of date it is (DATE_KINDS below; a test
# walks the models and fails for a date field missing from it). The bounds come from two settings:
# FUND_START_DATE (the fund's first day) and DATA_EARLIEST_DATE (the earliest medical-insurance
# data the fund may import).

@dataclass(frozen=True)
class DateKind:
    name: str
    earliest: str  # "fund", "data" or an ISO date
    latest_years: int = 0  # 0: not after today; n: up to n years ahead (schedules)

    def bounds(self, today: dt.date | None = None) -> tuple[dt.date, dt.date]:
        today = today or timezone.localdate()
        earliest = {"fund": lambda: settings.FUND_START_DATE, "data": lambda: settings.DATA_EARLIEST_DATE}.get(
            self.earliest, lambda: dt.date.fromisoformat(self.earliest))()
        latest = today.replace(year=today.year + self.latest_years, day=min(today.day, 28)) \
            if self.latest_years else today
        return earliest, latest


# Gifts received, payments made, visits, meetings: on or after the fund's first day, never ahead.
BUSINESS = DateKind("business", earliest="fund")
# Plans (instalments due, campaigns, deadlines, statement periods): from the fund's first day, up
# to 30 years ahead (a pledge of yearly instalments over decades).
SCHEDULE = DateKind("schedule", earliest="fund", latest_years=30)
# Medical-insurance data and invoices: from the earliest data year the fund imports, never ahead.
SETTLEMENT = DateKind("settlement", earliest="data")
# Births and deaths: a real person's (identity numbers start with births from 1890).
PERSONAL = DateKind("personal", earliest="1890-01-01")

DATE_KINDS: dict[str, DateKind] = {
    "fundportal.LedgerEntry.booked_on": BUSINESS,
    "fundportal.FundAccount.closed_through": BUSINESS,
    "donations.Campaign.starts_on": SCHEDULE,
    "donations.Campaign.ends_on": SCHEDULE,
    "donations.Pledge.signed_on": BUSINESS,
    "donations.PledgeInstalment.due_on": SCHEDULE,
    "donations.Donation.received_on": BUSINESS,
    "donations.Receipt.received_on": BUSINESS,
    "assistance.InsuredPerson.birth_date": PERSONAL,
    "assistance.InsuredPerson.died_on": PERSONAL,
    "assistance.SettlementRecord.settled_on": SETTLEMENT,
    "assistance.ReviewCase.due_on": SCHEDULE,
    "assistance.ReviewCase.valid_until": SCHEDULE,
    "assistance.FollowUp.due_on": SCHEDULE,
    "assistance.ReviewCase.visited_on": BUSINESS,
    "assistance.OverdueCount.day": BUSINESS,
    "assistance.ExtraCost.paid_on": SETTLEMENT,
    "assistance.Meeting.held_on": BUSINESS,
    "assistance.Scheme.apply_from": SCHEDULE,
    "assistance.Scheme.apply_until": SCHEDULE,
    "assistance.BankResultLine.booked_on": BUSINESS,
    "assistance.Publicity.starts_on": SCHEDULE,
    "assistance.Publicity.ends_on": SCHEDULE,
    "assistance.Objection.received_on": BUSINESS,
    "assistance.Objection.due_on": SCHEDULE,
    "assistance.Objection.visited_on": BUSINESS,
    "assistance.Appeal.filed_on": BUSINESS,
    "assistance.Appeal.due_on": SCHEDULE,
    "assistance.OutreachTask.due_on": SCHEDULE,
    "assistance.OutreachContact.contacted_on": BUSINESS,
    "disclosure.Statement.period_start": SCHEDULE,
    "disclosure.Statement.period_end": SCHEDULE,
}


def _shown(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def date_range_error(value: dt.date | None, kind: DateKind, label: str = "日期") -> str | None:
    """The Chinese refusal of a date outside its kind's range, or None."""
    if value is None:
        return None
    earliest, latest = kind.bounds()
    if earliest <= value <= latest:
        return None
    start = {"fund": "（基金设立之日）", "data": "（可导入数据的最早日期）"}.get(kind.earliest, "")
    end = "今天" if not kind.latest_years else _shown(latest)
    return f"{label}“{value.isoformat()}”不在合理范围内：应在 {_shown(earliest)}{start}至 {end} 之间"


@deconstructible
class DateRangeValidator:
    """A model or form field's range, by kind; the bounds are read when a value is checked, so
    "today" is always today and the settings can change."""

    def __init__(self, kind: DateKind, label: str = "日期"):
        self.kind, self.label = kind, label

    def __call__(self, value) -> None:
        if isinstance(value, dt.datetime):
            value = value.date()
        if isinstance(value, dt.date) and (message := date_range_error(value, self.kind, str(self.label))):
            raise ValidationError(message, code="date_range")

    def __eq__(self, other):
        return isinstance(other, DateRangeValidator) and (self.kind, str(self.label)) == (other.kind, str(other.label))


def install_date_ranges() -> None:
    """Give each model DateField its range (once the apps are ready): as a default validator, so
    model forms, full_clean(), column_errors() and ModelInputSerializer all apply it — and, not
    being a `validators=` argument, it changes no migration."""
    from django.apps import apps

    for label, kind in DATE_KINDS.items():
        app_label, model_name, field_name = label.split(".")
        try:
            field = apps.get_model(app_label, model_name)._meta.get_field(field_name)
        except LookupError:
            continue  # an app left out of INSTALLED_APPS
        validator = DateRangeValidator(kind, label=field.verbose_name)
        field.default_validators = [*type(field).default_validators, validator]
        field.__dict__.pop("validators", None)  # the cached list, if anything read it already
