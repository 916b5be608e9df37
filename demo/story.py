"""The demo's calendar: every step of the story runs with the clock at its own date, so what the
services stamp with "now" (receipt numbers and dates, ledger and history times, review deadlines,
signatures, bank results, publications) is the story's date, never the day the demo is loaded.

The services read the clock as they always do; the demo moves it (time-machine), as a test would.
The clock ticks on from each date, so the order of events within a day is kept."""
import datetime as dt
from contextlib import contextmanager
from zoneinfo import ZoneInfo

import time_machine
from django.conf import settings

# The fund is set up in June 2023; the story runs through its second year to the 2024 annual report.
FUND_SET_UP = dt.date(2023, 6, 1)
STORY_END = dt.date(2025, 3, 31)


@contextmanager
def on(day: dt.date, hour: int = 9, minute: int = 0):
    """Run the block at `day`, `hour`:`minute` local time (the clock running on from there)."""
    if day > STORY_END:
        raise ValueError(f"{day} is after the story's end ({STORY_END})")
    moment = dt.datetime.combine(day, dt.time(hour, minute), tzinfo=ZoneInfo(settings.TIME_ZONE))
    with time_machine.travel(moment, tick=True):
        yield
