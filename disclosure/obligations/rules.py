"""The due dates of the statutory calendar, as pure functions (tested as rules).

- The annual work report and financial report of year Y: by 31 May of Y + 1.
- A major fund movement (and a related-party dealing): within 30 days of the event. The day of the
  event is not counted (民法典 第二百零一条: a period in days starts the next day), so an event on
  10 February is due by 12 March (11 March in a leap year), one on 15 December by 14 January.
  民法典 第二百零三条 would move a deadline falling on a public holiday to the next working day; the
  calendar does not: a reminder must never be later than the law, so it keeps the calendar date.
"""
import datetime as dt

ANNUAL_REPORT_MONTH, ANNUAL_REPORT_DAY = 5, 31
MAJOR_EVENT_DAYS = 30


def annual_report_due(year: int) -> dt.date:
    """When the annual report of `year` is due: 31 May of the following year."""
    return dt.date(year + 1, ANNUAL_REPORT_MONTH, ANNUAL_REPORT_DAY)


def major_event_due(event_on: dt.date) -> dt.date:
    """When a major event (a large gift or payout batch, a related-party dealing) must be public."""
    return event_on + dt.timedelta(days=MAJOR_EVENT_DAYS)
