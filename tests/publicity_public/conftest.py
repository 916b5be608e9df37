"""A 公示 the public reads: a signed resolution approving four families in three villages of two
towns, people with known full names, ID numbers, phones and bank accounts (none of which may ever
appear on a public page, the API or the notice PDF; helpers.PEOPLE).

    莘塍街道 ─ 东风社区: 林小芳 (line 1, 林*芳, 14,000)
    塘下镇 ─┬─ 韩田村: 王建国 (line 2, 王*国, 35,000), 陈美玲 (line 3, 陈*玲, 21,000)
            └─ 沙渎村: 欧阳晓峰 (line 4, 欧阳*峰, 28,000)
"""
import datetime as dt

import pytest
from django.utils import timezone

from assistance.council.services import resolution_draft_payouts, resolution_sign
from assistance.models import Publicity
from tests.fixtures.council import fund, meeting_with_quorum, ready_application

from .helpers import PEOPLE, person


@pytest.fixture
def posted(secretary, clerk, regions, scheme, finance_a) -> Publicity:
    """Signed today: its 公示 is open (PUBLICITY_DAYS calendar days from today)."""
    fund("500000", finance_a)
    applications = []
    for seed, (name, village, out_of_pocket, phone, account) in enumerate(PEOPLE, start=1):
        application = ready_application(clerk, regions[village], out_of_pocket=out_of_pocket,
                                        person=person(name, regions[village], seed), account=account)
        application.phone = phone
        application.save(update_fields=["phone"])
        applications.append(application)
    draft = resolution_draft_payouts(meeting=meeting_with_quorum(secretary), scheme=scheme, acting_user=secretary)
    publicity = resolution_sign(resolution=draft, acting_user=secretary).publicity
    publicity.applications = applications  # for the tests that look for the families' data
    return publicity


@pytest.fixture
def ended(posted) -> Publicity:
    """The same 公示, its period over (it ended yesterday)."""
    ends_on = timezone.localdate() - dt.timedelta(days=1)
    Publicity.objects.filter(pk=posted.pk).update(starts_on=ends_on - dt.timedelta(days=6), ends_on=ends_on)
    posted.refresh_from_db()
    return posted
