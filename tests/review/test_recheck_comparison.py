"""A re-review (资格到期复审) or a follow-up's review looks at a family again: its page sets the
decision it re-checks (household, income, assets, housing, category, dates) beside what this visit
found, with what changed marked (selectors.household_changes), for those who see households; the
verify form starts from the last household so that the village edits rather than retypes; the
eligibility's last valid day is on the list and the page."""
import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from assistance.models import EligibilityCategory, ReviewCase
from assistance.review import services as review
from assistance.review.rechecks import review_recheck_open
from assistance.review.selectors import household_changes
from tests.fixtures.factories import make_resident_id

pytestmark = pytest.mark.django_db
D = Decimal
SPOUSE_ID = make_resident_id(7001, birth=dt.date(1962, 4, 2))
SON_ID = make_resident_id(7002, birth=dt.date(1990, 8, 9))


def _page(case):
    return reverse("admin:assistance_reviewcase_change", args=[case.pk])


def _verify(case, officer, *, members, income: str, assets: str = "", housing: str = "") -> ReviewCase:
    return review.review_case_verify(case=case, acting_user=officer, household=members, household_income=D(income),
                                     visited_on=timezone.localdate(), assets=assets, housing=housing)


@pytest.fixture
def decided(shared_run, regions, cab_city, cab_town, cab_village) -> ReviewCase:
    """韩田村's first family found eligible (低保对象) through the review's services: the person and
    the spouse, 12,000 a year, a house of their own."""
    case = ReviewCase.objects.filter(region=regions["hantian"]).order_by("id").first()
    case = review.review_case_dispatch(case=case, acting_user=cab_city)
    case = review.review_case_assign(case=case, acting_user=cab_town)
    case = _verify(case, cab_village, income="12000", assets="无存款", housing="自建房一间", members=[
        {"name": case.person.name, "relation": "本人", "annual_income": D("0")},
        {"name": "李秀英", "relation": "配偶", "resident_id": SPOUSE_ID, "annual_income": D("12000")}])
    return review.review_case_determine(case=case, acting_user=cab_city, eligible=True,
                                        category=EligibilityCategory.objects.get(name="低保对象"))


@pytest.fixture
def recheck(decided) -> ReviewCase:
    """The re-review the daily job opens before the decision lapses: at the village, not verified."""
    case = review_recheck_open(case_id=decided.pk)
    assert (case.previous, case.state, case.source) == (decided, ReviewCase.State.AT_VILLAGE, ReviewCase.Source.RECHECK)
    return case


def _verified_again(recheck, cab_village) -> ReviewCase:
    """This year: the spouse has left the household, a son came back; the person earns 3,000."""
    return _verify(recheck, cab_village, income="20000", assets="无存款", housing="自建房一间，已漏雨", members=[
        {"name": recheck.person.name, "relation": "本人", "annual_income": D("3000")},
        {"name": "张建国", "relation": "儿子", "resident_id": SON_ID, "annual_income": D("17000")}])


def test_a_case_that_looks_at_no_earlier_decision_has_no_comparison(decided):
    assert household_changes(decided) is None


def test_before_the_visit_the_last_decision_stands_alone(recheck, decided):
    changes = household_changes(recheck)
    assert changes.current is None and not changes.changed
    before = changes.previous
    assert [m.name for m in before.members] == [decided.person.name, "李秀英"]
    assert (before.year, before.income, before.assets, before.housing, before.category) == (
        2022, D("12000.00"), "无存款", "自建房一间", "低保对象")
    assert before.decided_on == timezone.localdate() and before.valid_until == decided.valid_until is not None


def test_after_the_visit_what_changed_is_computed(recheck, cab_village):
    changes = household_changes(_verified_again(recheck, cab_village))
    assert [m.name for m in changes.added] == ["张建国"] and [m.name for m in changes.removed] == ["李秀英"]
    [income] = changes.income_changes
    assert (income.relation, income.before, income.after) == ("本人", D("0.00"), D("3000.00"))
    assert changes.income_changed_ids == {changes.current.members[0].pk}
    assert changes.income_difference == D("8000.00")
    assert (changes.assets_changed, changes.housing_changed, changes.changed) == (False, True, True)


def test_the_same_household_found_again_shows_no_change(recheck, decided, cab_village):
    members = [{"name": m.name, "relation": m.relation, "resident_id": m.resident_id, "annual_income": m.annual_income}
               for m in decided.household.all()]
    case = _verify(recheck, cab_village, income="12000", assets="无存款", housing="自建房一间", members=members)
    changes = household_changes(case)
    assert changes.current is not None and not changes.changed
    assert changes.income_difference == 0


def test_the_case_page_shows_the_comparison_to_civil_affairs_only(client, recheck, decided, cab_village, cab_city,
                                                                  msb):
    case = _verified_again(recheck, cab_village)
    client.force_login(cab_village)
    page = client.get(_page(case))
    assert page.status_code == 200 and "no-store" in page["Cache-Control"]
    html = page.content.decode()
    assert "上次认定情况对比" in html and "上次认定（2022 年度）" in html and "本次甄别（2023 年度）" in html
    assert "张建国（儿子）" in html and "（新增）" in html and "（本次未登记）" in html
    assert "增加 8,000.00" in html and 'class="changed"' in html and "已漏雨" in html
    assert page.context["previous_url"] == _page(decided)
    assert SON_ID not in html and SPOUSE_ID not in html  # the comparison names members, never their ID numbers
    client.force_login(msb)  # the state of a case, never the household
    page = client.get(_page(case))
    assert page.status_code == 200 and page.context["changes"] is None
    assert "上次认定情况对比" not in page.content.decode() and "李秀英" not in page.content.decode()


def test_the_verify_form_starts_from_the_last_household(client, recheck, decided, cab_village, cab_city, cab_town,
                                                       regions):
    client.force_login(cab_village)
    page = client.get(reverse("admin:assistance_reviewcase_verify", args=[recheck.pk]))
    assert page.status_code == 200
    form, formset = page.context["form"], page.context["formset"]
    assert form.initial == {"household_income": D("12000.00"), "assets": "无存款", "housing": "自建房一间"}
    assert [(row["name"], row["relation"], row["annual_income"]) for row in formset.initial] == [
        (decided.person.name, "本人", D("0.00")), ("李秀英", "配偶", D("12000.00"))]
    # A first visit (no earlier decision) starts from the person alone, as before.
    other = ReviewCase.objects.filter(region=regions["hantian"]).exclude(pk=decided.pk).first()
    other = review.review_case_assign(case=review.review_case_dispatch(case=other, acting_user=cab_city),
                                      acting_user=cab_town)
    page = client.get(reverse("admin:assistance_reviewcase_verify", args=[other.pk]))
    assert page.context["form"].initial == {} and [row["relation"] for row in page.context["formset"].initial] == ["本人"]


def test_the_valid_until_date_is_on_the_list_and_the_page_lapsed_marked(client, decided, cab_city):
    client.force_login(cab_city)
    day = decided.valid_until
    listed = client.get(reverse("admin:assistance_reviewcase_changelist") + "?state__exact=eligible")
    assert "资格有效期至" in listed.content.decode()
    page = client.get(_page(decided)).content.decode()
    assert "资格有效期至" in page and date_format(day) in page and "已到期" not in page
    ReviewCase.objects.filter(pk=decided.pk).update(valid_until=timezone.localdate() - dt.timedelta(days=1))
    lapsed = client.get(reverse("admin:assistance_reviewcase_changelist") + "?state__exact=eligible").content.decode()
    assert '<span class="overdue">' in lapsed and "已到期" in lapsed


def test_both_columns_of_the_comparison_give_their_dates_alike(client, recheck, decided, cab_village, cab_city):
    """The decision day of the re-review reads as the last one's does (2024年7月22日), not 2024-07-22."""
    case = review.review_case_determine(case=_verified_again(recheck, cab_village), acting_user=cab_city, eligible=True,
                                        category=EligibilityCategory.objects.get(name="低保对象"))
    client.force_login(cab_city)
    html = client.get(_page(case)).content.decode()
    table = html[html.index("上次认定情况对比"):]
    decided_row = table[table.index("认定时间"):table.index("</tr>", table.index("认定时间"))]
    today = timezone.localdate(case.determined_at)
    assert date_format(today) in decided_row and today.isoformat() not in decided_row
