"""The work queue on a city-sized year: a handful of aggregate queries per person, the same number
for ten rows as for thousands (no query per row, per case or per area)."""
import datetime as dt
import itertools
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from assistance.models import Application, InsuredPerson, ReviewCase
from donations.models import PledgeInstalment
from fundportal.models import Region
from fundportal.workqueue import queue_for
from tests.fixtures.factories import (AppealFactory, FraudFlagFactory, ObjectionFactory, PledgeFactory,
                                      PledgeInstalmentFactory, ReviewCaseFactory, make_resident_id)

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

PERSONAS = ["cab_city", "cab_town", "cab_village", "other_village", "secretary", "finance_b", "msb", "auditor",
            "clerk", "administrator"]
# The most any one person's queue takes: permissions, roles, and one aggregate per list — finance's
# also the disclosure calendar's four reads (published statements, the years with ledger entries, major
# gifts, major payout batches).
QUEUE_QUERIES = 12
PAGE_QUERIES = 15  # the page around it: session, user, the admin's menus (finance's: with the calendar's four)
STATES = [ReviewCase.State.FIRST_SCREENING, ReviewCase.State.AT_TOWN, ReviewCase.State.AT_VILLAGE,
          ReviewCase.State.VERIFIED, ReviewCase.State.RETURNED, ReviewCase.State.AT_VILLAGE]


def a_few_of_everything(regions, clerk, finance_a, secretary):
    for region in (regions["hantian"], regions["shadu"], regions["xincheng_village"]):
        for state in STATES:
            ReviewCaseFactory(person__region=region, state=state, due_on=timezone.localdate())
        ObjectionFactory(entry__region=region)
        AppealFactory(application__person__region=region, review_case__person__region=region)
    FraudFlagFactory(payout__batch__prepared_by=finance_a, payout__item__application__entered_by=clerk)
    PledgeInstalmentFactory(due_on=timezone.localdate() - dt.timedelta(days=3))


def a_city_sized_year(regions, clerk):
    """20 more towns of 10 villages, 4,000 people under review in them and in the fixture's villages,
    1,000 applications ready for costing, 300 pledge instalments in arrears — in bulk."""
    city = regions["city"]
    towns = Region.objects.bulk_create(
        Region(code=f"3303812{t:02d}000", name=f"第{t}镇", level=Region.Level.TOWN, parent=city,
               path=f"{city.path}3303812{t:02d}000/") for t in range(20))
    villages = Region.objects.bulk_create(
        Region(code=f"{town.code[:9]}2{v:02d}", name=f"{town.name}第{v}村", level=Region.Level.VILLAGE, parent=town,
               path=f"{town.path}{town.code[:9]}2{v:02d}/") for town in towns for v in range(10))
    villages += [regions["hantian"], regions["shadu"], regions["xincheng_village"]]

    def born(n):  # a thousand people a day: the ID number's serial has three digits
        return dt.date(1930, 1, 1) + dt.timedelta(days=n // 1000)

    people = InsuredPerson.objects.bulk_create(
        InsuredPerson(resident_id=make_resident_id(n, birth=born(n)), name=f"李{n}", sex="M", birth_date=born(n),
                      region=villages[n % len(villages)], is_local=True) for n in range(5000))
    now, today = timezone.now(), timezone.localdate()
    ReviewCase.objects.bulk_create(
        ReviewCase(person=person, year=2022, region=person.region, source=ReviewCase.Source.WARNING, state=state,
                   state_since=now - dt.timedelta(days=n % 30), due_on=today + dt.timedelta(days=n % 20 - 10))
        for n, (person, state) in enumerate(zip(people[:4000], itertools.cycle(STATES))))
    Application.objects.bulk_create(
        Application(number=f"SQ2022{n:05d}", lookup_code=f"BULK{n:04d}", person=person, year=2022, region=person.region,
                    state=Application.State.READY, phone="13812345678", account_holder=person.name,
                    bank_name="瑞安农商银行", account_number=f"6228480{n:012d}", entered_by=clerk,
                    insured_out_of_pocket=Decimal("60000.00"), submitted_at=now)
        for n, person in enumerate(people[4000:]))
    pledge = PledgeFactory(total=Decimal("3000000.00"))
    PledgeInstalment.objects.bulk_create(
        PledgeInstalment(pledge=pledge, sequence=n + 2, due_on=today - dt.timedelta(days=n + 1),
                         amount=Decimal("10000.00")) for n in range(300))


def query_counts(users) -> dict[str, tuple[int, int, int]]:
    """Per person: the queries of their queue, of their queue page, and how much waits."""
    counts = {}
    for name, user in users.items():
        for attribute in ("_perm_cache", "_user_perm_cache", "_group_perm_cache", "_workqueue_administers"):
            user.__dict__.pop(attribute, None)  # as a fresh request's user
        with CaptureQueriesContext(connection) as queue_queries:
            items = queue_for(user)
        client = Client()
        client.force_login(user)
        with CaptureQueriesContext(connection) as page_queries:
            assert client.get("/admin/queue/").status_code == 200
        counts[name] = (len(queue_queries), len(page_queries), sum(item.count for item in items))
    return counts


def test_the_queue_takes_the_same_few_queries_for_ten_rows_as_for_thousands(
        request, regions, clerk, finance_a, secretary, django_assert_max_num_queries):
    users = {name: request.getfixturevalue(name) for name in PERSONAS}
    a_few_of_everything(regions, clerk, finance_a, secretary)
    small = query_counts(users)
    a_city_sized_year(regions, clerk)
    big = query_counts(users)

    for name in PERSONAS:
        assert big[name][:2] == small[name][:2], name  # the number of queries did not grow with the rows
        assert big[name][0] <= QUEUE_QUERIES and big[name][1] <= PAGE_QUERIES, (name, big[name])
    waiting = {name: big[name][2] for name in PERSONAS}
    assert waiting["cab_city"] > 1300 and waiting["auditor"] > 1500 and waiting["secretary"] >= 1000
    assert waiting["finance_b"] >= 300
    with django_assert_max_num_queries(QUEUE_QUERIES):
        queue_for(users["cab_city"])
