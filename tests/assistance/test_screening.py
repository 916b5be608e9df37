"""Screening runs: the warning targets (预警对象) equal a plain-Python computation; the threshold,
local-registration, deceased and minimum-visits rules; reproducibility; each target's figures;
sharing with civil affairs as a recorded, permission-checked step."""
import datetime as dt
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistance.models import InsuredPerson, ScreeningRun, SettlementRecord, WarningTarget
from assistance.intake.services import screening_run_create, screening_run_execute
from assistance.review.services import screening_run_share
from fundportal.models import User
from tests.assistance.helpers import YEAR, rid, run_import, settlement_row, write_csv
from tests.fixtures.factories import UserFactory

pytestmark = pytest.mark.django_db

INSTITUTIONS = ["瑞安市人民医院", "瑞安市中医院", "温州医科大学附属第一医院", "瑞安市塘下镇中心卫生院"]


def _person(seed: int, *, region=None, deceased: bool = False) -> InsuredPerson:
    number = rid(seed)
    return InsuredPerson.objects.create(
        resident_id=number, name=f"人{seed}", sex="M" if int(number[16]) % 2 else "F", birth_date=dt.date(1968, 5, 17),
        region=region, is_local=region is not None, is_deceased=deceased)


def _settle(person, number: str, *, total: str, fund: str = "0", institution: str = INSTITUTIONS[0],
            year: int = YEAR) -> SettlementRecord:
    total, fund = Decimal(total), Decimal(fund)
    return SettlementRecord.objects.create(
        year=year, settlement_no=number, person=person, settled_on=dt.date(year, 3, 5), institution=institution,
        total_cost=total, fund_basic=fund, out_of_pocket=total - fund)


def _screen(user, **parameters) -> ScreeningRun:
    run = screening_run_create(year=parameters.pop("year", YEAR), acting_user=user, queue=False, **parameters)
    return screening_run_execute(run=run)


def _targets(run) -> dict[int, tuple]:
    return {target.person_id: (target.region_id, target.total_cost, target.fund_paid, target.out_of_pocket,
                               target.settlement_count, target.own_share, target.top_institutions)
            for target in run.targets.all()}


# The plain-Python reference ---------------------------------------------------------------------

def reference_targets(people: list[dict], *, year: int, threshold: Decimal, local_only: bool,
                      exclude_deceased: bool, min_settlements: int) -> dict[int, tuple]:
    """people: {"pk", "region_id", "deceased", "settlements": [(year, total, fund, institution)]}."""
    targets = {}
    for person in people:
        rows = [row for row in person["settlements"] if row[0] == year]
        total = sum((row[1] for row in rows), Decimal("0.00"))
        fund = sum((row[2] for row in rows), Decimal("0.00"))
        out_of_pocket = total - fund
        if not rows or out_of_pocket < threshold or len(rows) < min_settlements:
            continue
        if local_only and person["region_id"] is None:
            continue
        if exclude_deceased and person["deceased"]:
            continue
        by_institution: dict[str, Decimal] = defaultdict(Decimal)
        for row in rows:
            by_institution[row[3]] += row[1]
        top = sorted(by_institution.items(), key=lambda item: (-item[1], item[0]))[:3]
        share = (out_of_pocket / total).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP) if total else Decimal(0)
        targets[person["pk"]] = (person["region_id"], total, fund, out_of_pocket, len(rows), share,
                                 [[name, f"{amount:.2f}"] for name, amount in top])
    return targets


cents = st.integers(0, 3_000_000).map(lambda value: Decimal(value) / 100)


@st.composite
def people_data(draw):
    people = []
    for index in range(draw(st.integers(1, 7))):
        settlements = []
        for _ in range(draw(st.integers(0, 5))):
            total = draw(cents)
            fund = draw(st.integers(0, int(total * 100)).map(lambda value: Decimal(value) / 100))
            settlements.append((draw(st.sampled_from([YEAR, YEAR, YEAR, YEAR - 1])), total, fund,
                                draw(st.sampled_from(INSTITUTIONS))))
        people.append({"local": draw(st.booleans()), "deceased": draw(st.booleans()), "settlements": settlements})
    return people


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                    HealthCheck.too_slow])
@given(data=people_data(), threshold=st.sampled_from(["0", "100", "5000", "20000", "50000"]),
       local_only=st.booleans(), exclude_deceased=st.booleans(), min_settlements=st.integers(1, 3))
def test_screening_equals_a_plain_python_computation_on_random_data(regions, msb, data, threshold, local_only,
                                                                   exclude_deceased, min_settlements):
    town = regions["tangxia"]
    with transaction.atomic():
        people = []
        for index, spec in enumerate(data):
            person = _person(index, region=town if spec["local"] else None, deceased=spec["deceased"])
            people.append({"pk": person.pk, "region_id": person.region_id, "deceased": spec["deceased"],
                           "settlements": spec["settlements"]})
            SettlementRecord.objects.bulk_create(
                SettlementRecord(year=year, settlement_no=f"P{index}-{number}", person=person,
                                 settled_on=dt.date(year, 6, 1), institution=institution, total_cost=total,
                                 fund_basic=fund, out_of_pocket=total - fund)
                for number, (year, total, fund, institution) in enumerate(spec["settlements"]))
        parameters = {"threshold": Decimal(threshold), "local_only": local_only,
                      "exclude_deceased": exclude_deceased, "min_settlements": min_settlements}
        run = _screen(msb, **parameters)
        assert _targets(run) == reference_targets(people, year=YEAR, **parameters)
        assert run.target_count == len(_targets(run))
        transaction.set_rollback(True)


# The rules, one by one ---------------------------------------------------------------------------

def test_exactly_the_threshold_is_a_target_and_one_fen_less_is_not(regions, msb):
    town = regions["tangxia"]
    at, below, summed = _person(1, region=town), _person(2, region=town), _person(3, region=town)
    _settle(at, "A1", total="80000.00", fund="30000.00")
    _settle(below, "B1", total="80000.00", fund="30000.01")
    _settle(summed, "C1", total="30000.00", fund="0")
    _settle(summed, "C2", total="40000.00", fund="20000.00")  # 30,000 + 20,000 over the year
    run = _screen(msb)
    assert run.threshold == Decimal("50000.00")  # the seed fund's first-year threshold is the default
    assert {target.person_id: target.out_of_pocket for target in run.targets.all()} == {
        at.pk: Decimal("50000.00"), summed.pk: Decimal("50000.00")}


def test_local_only_excludes_people_registered_outside_the_city(tmp_path, regions, msb):
    rows = [settlement_row("L1", rid(1), region="330381101201", total="60000", basic="0", out_of_pocket="60000"),
            settlement_row("L2", rid(2), region="塘下镇", total="60000", basic="0", out_of_pocket="60000"),
            settlement_row("O1", rid(3), region="330302000000", total="60000", basic="0", out_of_pocket="60000"),
            settlement_row("O2", rid(4), region="杭州市西湖区", total="60000", basic="0", out_of_pocket="60000"),
            settlement_row("O3", rid(5), region="", total="60000", basic="0", out_of_pocket="60000")]
    run_import(write_csv(tmp_path / "year.csv", rows), msb)
    ids = {number: InsuredPerson.objects.get(resident_id=rid(seed)).pk
           for number, seed in (("L1", 1), ("L2", 2), ("O1", 3), ("O2", 4), ("O3", 5))}

    local = _screen(msb)
    assert set(_targets(local)) == {ids["L1"], ids["L2"]}
    assert {target.region_id for target in local.targets.all()} == {regions["hantian"].pk, regions["tangxia"].pk}
    everyone = _screen(msb, local_only=False)
    assert set(_targets(everyone)) == set(ids.values())


def test_exclude_deceased_leaves_out_people_marked_deceased(regions, msb):
    town = regions["tangxia"]
    alive, dead = _person(1, region=town), _person(2, region=town, deceased=True)
    _settle(alive, "A1", total="60000")
    _settle(dead, "D1", total="60000")
    assert set(_targets(_screen(msb))) == {alive.pk}  # excluded by default
    assert set(_targets(_screen(msb, exclude_deceased=False))) == {alive.pk, dead.pk}


def test_min_settlements_requires_that_many_settlements_in_the_year(regions, msb):
    town = regions["tangxia"]
    once, twice, last_year = _person(1, region=town), _person(2, region=town), _person(3, region=town)
    _settle(once, "A1", total="90000")
    _settle(twice, "B1", total="45000")
    _settle(twice, "B2", total="45000")
    _settle(last_year, "C1", total="45000")
    _settle(last_year, "C0", total="45000", year=YEAR - 1)  # another year does not count
    assert set(_targets(_screen(msb, min_settlements=2))) == {twice.pk}
    assert set(_targets(_screen(msb, min_settlements=1))) == {once.pk, twice.pk}


def test_a_run_only_looks_at_its_own_year(regions, msb):
    person = _person(1, region=regions["tangxia"])
    _settle(person, "A1", total="60000", year=YEAR - 1)
    assert _targets(_screen(msb)) == {}
    assert set(_targets(_screen(msb, year=YEAR - 1))) == {person.pk}


def test_the_same_data_and_parameters_give_the_same_targets_and_figures(regions, msb):
    town, village = regions["tangxia"], regions["hantian"]
    for seed in range(6):
        person = _person(seed, region=town if seed % 2 else village, deceased=seed == 4)
        for visit in range(seed + 1):
            _settle(person, f"S{seed}-{visit}", total=f"{20000 + 1000 * visit}.50", fund=f"{3000 * visit}",
                    institution=INSTITUTIONS[visit % len(INSTITUTIONS)])
    first, second = _screen(msb, threshold=Decimal("30000")), _screen(msb, threshold=Decimal("30000"))
    assert first.pk != second.pk
    assert _targets(first) == _targets(second) and len(_targets(first)) >= 3
    assert first.data_fingerprint == second.data_fingerprint != ""
    assert [t.person_id for t in first.targets.all()] == [t.person_id for t in second.targets.all()]
    assert (first.state, first.target_count) == (ScreeningRun.State.DONE, len(_targets(first)))


def test_each_target_shows_its_figures_top_institutions_and_own_share(regions, msb):
    person = _person(1, region=regions["tangxia"])
    _settle(person, "T1", total="30000.00", fund="20000.00", institution="瑞安市人民医院")
    _settle(person, "T2", total="25000.00", fund="5000.00", institution="温州医科大学附属第一医院")
    _settle(person, "T3", total="5000.00", fund="1000.00", institution="瑞安市人民医院")
    _settle(person, "T4", total="25000.00", fund="0.00", institution="上海交通大学医学院附属瑞金医院")
    _settle(person, "T5", total="1000.00", fund="0.00", institution="瑞安市中医院")
    run = _screen(msb)
    target = WarningTarget.objects.get(run=run)
    assert (target.total_cost, target.fund_paid, target.out_of_pocket, target.settlement_count) == (
        Decimal("86000.00"), Decimal("26000.00"), Decimal("60000.00"), 5)
    assert target.own_share == Decimal("0.6977")  # 60,000 / 86,000 = 0.69767…
    # By cost, biggest first; equal costs by name, so a run is reproducible; at most three.
    assert target.top_institutions == [["瑞安市人民医院", "35000.00"], ["上海交通大学医学院附属瑞金医院", "25000.00"],
                                       ["温州医科大学附属第一医院", "25000.00"]]
    assert target.region == regions["tangxia"]


def test_own_share_rounds_half_up_to_four_places(regions, msb):
    person = _person(1, region=regions["tangxia"])
    _settle(person, "R1", total="20000.00", fund="17531.00")  # 2,469 / 20,000 = 0.12345 exactly
    target = WarningTarget.objects.get(run=_screen(msb, threshold=Decimal("1000")))
    assert target.own_share == Decimal("0.1235")


def test_screening_parameters_are_validated(msb):
    with pytest.raises(ValidationError) as error:
        screening_run_create(year=1999, threshold=Decimal("-1"), min_settlements=0, acting_user=msb, queue=False)
    assert set(error.value.message_dict) == {"year", "threshold", "min_settlements"}
    assert error.value.message_dict["threshold"] == ["个人自付起点不能为负数"]


# Sharing with civil affairs ----------------------------------------------------------------------

def _with_share_permission(user) -> User:
    user.user_permissions.add(Permission.objects.get(content_type__app_label="assistance",
                                                     codename="share_screeningrun"))
    return User.objects.get(pk=user.pk)  # a fresh object: permissions are cached per instance


def test_sharing_a_finished_run_is_recorded_with_who_and_when(regions, msb):
    sharer = _with_share_permission(UserFactory(username="msb-head"))
    run = _screen(msb)
    shared = screening_run_share(run=run, acting_user=sharer)
    run.refresh_from_db()
    assert run.shared_at is not None and run.shared_by == sharer == shared.shared_by
    latest = run.history.latest()
    assert (latest.history_user, latest.history_change_reason) == (sharer, "共享给民政局")


def test_sharing_requires_the_share_permission(regions, msb, clerk):
    run = _screen(msb)
    for user in (clerk, UserFactory(username="nobody")):
        with pytest.raises(PermissionError, match="您没有共享筛查结果的权限"):
            screening_run_share(run=run, acting_user=user)
    run.refresh_from_db()
    assert run.shared_at is None


def test_an_unfinished_run_cannot_be_shared(regions, msb):
    sharer = _with_share_permission(UserFactory(username="msb-head"))
    run = screening_run_create(year=YEAR, acting_user=msb, queue=False)
    with pytest.raises(ValidationError, match="筛查尚未完成，不能共享"):
        screening_run_share(run=run, acting_user=sharer)
    run.refresh_from_db()
    assert run.shared_at is None


def test_a_run_is_shared_only_once(regions, msb):
    sharer = _with_share_permission(UserFactory(username="msb-head"))
    run = _screen(msb)
    first = screening_run_share(run=run, acting_user=sharer)
    with pytest.raises(ValidationError, match="该批次已于 .* 共享"):
        screening_run_share(run=run, acting_user=sharer)
    run.refresh_from_db()
    assert run.shared_at == first.shared_at


@pytest.mark.django_db(transaction=True)
def test_a_run_reads_one_snapshot_of_the_year(regions, msb):
    """Its threshold pass and per-person sums are separate statements: on their own, an import
    committing in between could split a target's figures."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    run = screening_run_create(year=YEAR, acting_user=msb, queue=False)
    with CaptureQueriesContext(connection) as queries:
        screening_run_execute(run=run)
    statements = [query["sql"] for query in queries if query["sql"] != "BEGIN"]
    # After the run is claimed (its own short transaction), the snapshot is set before any read of the data.
    snapshot = statements.index("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
    assert not any("assistance_settlementrecord" in sql or "assistance_insuredperson" in sql
                   for sql in statements[:snapshot])
    assert "assistance_screeningrun" in statements[snapshot - 1]  # the claim and its heartbeat: nothing else
