"""The follow-up pages in the admin (防止返贫监测): each officer's list of their area's follow-ups
(names and ID numbers masked, never cached), its filters, a follow-up's page with the family's
assisted years, what was paid and the two years' costs, and — for the village's officer while it
is open — the form recording the outcome through the service; read-only for the town, the city and
auditors; a 404 for another village's officer and for roles that do not see follow-ups."""
import datetime as dt
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from assistance.followup.services import followup_record
from assistance.models import Application, FollowUp, Payout, ReviewCase
from fundportal.masking import mask_name, mask_resident_id
from tests.fixtures.factories import LedgerEntryFactory, PayoutFactory

pytestmark = pytest.mark.django_db
LIST = "admin:assistance_followup_changelist"


def _page(follow_up):
    return reverse("admin:assistance_followup_change", args=[follow_up.pk])


def _post(follow_up):
    return reverse("admin:assistance_followup_record", args=[follow_up.pk])


def _listed(client, query="") -> set[int]:
    response = client.get(reverse(LIST) + query)
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    return {follow_up.pk for follow_up in response.context["cl"].result_list}


def _open(follow_up) -> bool:
    return FollowUp.objects.get(pk=follow_up.pk).state == FollowUp.State.OPEN


def test_the_village_officer_lists_the_villages_follow_ups_masked(client, follow_ups, cab_village):
    client.force_login(cab_village)
    response = client.get(reverse(LIST))
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    assert {f.pk for f in response.context["cl"].result_list} == {follow_ups[0].pk, follow_ups[1].pk}
    html = response.content.decode()
    for follow_up in follow_ups[:2]:
        person = follow_up.person
        assert mask_name(person.name) in html and person.name not in html
        assert mask_resident_id(person.resident_id) in html and person.resident_id not in html
    assert "自付超过监测线" in html and "自付费用大幅上升" in html  # the reasons
    assert "26,000.00" in html and "61,000.00" in html and "塘下镇 韩田村" in html
    assert "13912345678" not in html


def test_the_filters_state_due_town_reason_and_run(client, follow_ups, flagged_run, cab_town, cab_village, regions):
    followup_record(follow_up=follow_ups[0], acting_user=cab_village, outcome="no_risk", notes="子女已承担费用")
    FollowUp.objects.filter(pk=follow_ups[1].pk).update(due_on=timezone.localdate() - dt.timedelta(days=1))
    client.force_login(cab_town)
    assert _listed(client) == {f.pk for f in follow_ups}
    assert _listed(client, "?state__exact=open") == {follow_ups[1].pk, follow_ups[2].pk}
    assert _listed(client, "?overdue=yes") == {follow_ups[1].pk}
    assert _listed(client, "?reason=sharp_rise") == {follow_ups[1].pk}
    assert _listed(client, "?reason=over_threshold") == {follow_ups[0].pk, follow_ups[2].pk}
    assert _listed(client, f"?town={regions['tangxia'].pk}") == {f.pk for f in follow_ups}
    assert _listed(client, f"?town={regions['xincheng'].pk}") == {f.pk for f in follow_ups}  # not offered: ignored
    assert _listed(client, f"?run__id__exact={flagged_run.pk}") == {f.pk for f in follow_ups}
    assert _listed(client, "?outcome__exact=no_risk") == {follow_ups[0].pk}
    client.force_login(cab_village)
    page = client.get(reverse(LIST) + "?overdue=yes").content.decode()
    assert "已逾期" in page and '<span class="overdue">' in page


def test_the_page_shows_the_assisted_years_the_amount_paid_and_two_years_costs(client, follow_up, cab_village):
    application = Application.objects.get(person=follow_up.person)
    paid = PayoutFactory(item__application=application, item__amount=Decimal("31500.00"), state=Payout.State.PAID,
                         ledger_entry=LedgerEntryFactory())
    PayoutFactory(batch=paid.batch, item=paid.item, reference="FAILED-1", state=Payout.State.FAILED)  # never counted
    client.force_login(cab_village)
    page = client.get(_page(follow_up))
    assert page.status_code == 200 and "no-store" in page["Cache-Control"]
    [year] = page.context["history"].assisted
    assert (year.year, year.number, year.paid) == (2022, application.number, Decimal("31500.00"))
    html = page.content.decode()
    assert "历年救助情况" in html and application.number in html and "31,500.00" in html
    costs = page.context["history"]
    assert (costs.previous_costs.year, costs.previous_costs.out_of_pocket) == (2022, Decimal("61000.00"))
    assert (costs.costs.year, costs.costs.out_of_pocket, costs.costs.total_cost) == (
        2023, Decimal("26000.00"), Decimal("52000.00"))
    assert "61,000.00" in html and "52,000.00" in html
    person = follow_up.person
    assert person.name in html  # the village's officer contacts the family by name
    assert person.resident_id not in html and mask_resident_id(person.resident_id) in html
    assert "13912345678" not in html and application.account_number not in html


def test_the_village_officer_records_no_risk_on_the_page(client, follow_up, cab_village):
    client.force_login(cab_village)
    page = client.get(_page(follow_up))
    assert page.context["record_form"] is not None and 'id="record"' in page.content.decode()
    response = client.post(_post(follow_up), {"outcome": "no_risk", "notes": "入户核实：子女已承担费用，收入稳定"},
                           follow=True)
    assert response.redirect_chain[-1][0] == _page(follow_up)
    assert "已登记跟进结果：经核实无返贫风险" in response.content.decode()
    follow_up.refresh_from_db()
    assert (follow_up.state, follow_up.outcome, follow_up.closed_by) == ("closed", "no_risk", cab_village)
    page = client.get(_page(follow_up)).content.decode()
    assert "入户核实：子女已承担费用，收入稳定" in page and 'id="record"' not in page  # closed: no form


def test_review_outcome_opens_a_review_case_linked_from_the_page(client, follow_up, cab_village):
    client.force_login(cab_village)
    client.post(_post(follow_up), {"outcome": "review", "notes": "丈夫失业，家庭收入下降"})
    follow_up.refresh_from_db()
    case = follow_up.review_case
    assert (case.source, case.state, case.year, case.region) == (
        ReviewCase.Source.FOLLOW_UP, ReviewCase.State.AT_VILLAGE, 2023, follow_up.region)
    page = client.get(_page(follow_up))
    assert page.context["case_url"] == reverse("admin:assistance_reviewcase_change", args=[case.pk])


@pytest.mark.parametrize("data, message", [
    ({"outcome": "no_risk", "notes": "   "}, "请填写跟进情况"),
    ({"outcome": "died", "notes": "已去世"}, "请选择跟进结果：无返贫风险、转入资格审核或已迁出"),
    ({"notes": "电话联系，家属说明情况"}, "请选择跟进结果"),
    ({"outcome": "no_risk", "notes": "很" * 5001}, "内容过长"),
])
def test_bad_input_is_refused_in_chinese_and_what_was_typed_is_kept(client, follow_up, cab_village, data, message):
    client.force_login(cab_village)
    response = client.post(_post(follow_up), data)
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    html = response.content.decode()
    assert message in html
    assert data["notes"].strip()[:100] in html  # nothing typed is lost
    if data.get("outcome") == "no_risk":
        assert re.search(r'value="no_risk"[^>]*checked', html)  # the outcome chosen stays chosen
    assert _open(follow_up) and FollowUp.objects.get(pk=follow_up.pk).notes == ""


def test_a_closed_follow_up_is_refused_with_the_reason(client, follow_up, cab_village):
    followup_record(follow_up=follow_up, acting_user=cab_village, outcome="moved", notes="已迁往温州市区")
    client.force_login(cab_village)
    assert client.get(_page(follow_up)).context["record_form"] is None
    response = client.post(_post(follow_up), {"outcome": "no_risk", "notes": "再次登记"}, follow=True)
    assert "该监测已办结（已迁出本市），不能再登记" in response.content.decode()
    follow_up.refresh_from_db()
    assert (follow_up.outcome, follow_up.notes) == ("moved", "已迁往温州市区")


@pytest.mark.parametrize("persona", ["cab_town", "cab_city", "auditor"])
def test_the_town_the_city_and_auditors_read_the_page_and_cannot_record(request, client, follow_up, persona):
    client.force_login(request.getfixturevalue(persona))
    page = client.get(_page(follow_up))
    assert page.status_code == 200 and page.context["record_form"] is None
    assert follow_up.pk in _listed(client)
    assert client.get(_post(follow_up)).status_code == 403
    assert client.post(_post(follow_up), {"outcome": "no_risk", "notes": "无风险"}).status_code == 403
    assert _open(follow_up)


def test_another_villages_officer_gets_a_404(client, follow_up, shadu_follow_up, other_village):
    client.force_login(other_village)
    assert client.get(_page(follow_up)).status_code == 404
    assert client.post(_post(follow_up), {"outcome": "no_risk", "notes": "无风险"}).status_code == 404
    assert _listed(client) == {shadu_follow_up.pk}
    assert _open(follow_up)


@pytest.mark.parametrize("persona", ["msb", "clerk", "finance", "other_town"])
def test_roles_that_do_not_see_follow_ups_are_refused(request, client, follow_up, persona):
    client.force_login(request.getfixturevalue(persona))
    if persona == "other_town":  # sees follow-ups, not this town's
        assert follow_up.pk not in _listed(client)
    else:
        assert client.get(reverse(LIST)).status_code == 403
    assert client.get(_page(follow_up)).status_code == 404
    assert client.post(_post(follow_up), {"outcome": "no_risk", "notes": "无风险"}).status_code == 404
    assert _open(follow_up)


def test_the_service_refuses_a_village_officer_outside_the_area(follow_up, other_village):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        followup_record(follow_up=follow_up, acting_user=other_village, outcome="no_risk", notes="无风险")


def test_no_add_change_or_delete(client, follow_up, admin_user):
    client.force_login(admin_user)
    assert client.get(reverse("admin:assistance_followup_add")).status_code == 403
    page = client.get(_page(follow_up))
    assert page.status_code == 200 and b'name="_save"' not in page.content
    assert client.get(reverse("admin:assistance_followup_delete", args=[follow_up.pk])).status_code == 403


def test_the_history_page_is_the_audit_history_masked(client, follow_up, cab_village, auditor):
    followup_record(follow_up=follow_up, acting_user=cab_village, outcome="no_risk", notes="入户核实无风险")
    client.force_login(auditor)
    page = client.get(reverse("admin:assistance_followup_history", args=[follow_up.pk]))
    assert page.status_code == 200 and "no-store" in page["Cache-Control"]
    html = page.content.decode()
    assert "跟进结果：经核实无返贫风险" in html
    assert follow_up.person.name not in html and follow_up.person.resident_id not in html


def test_the_screening_runs_page_counts_the_follow_ups_it_flagged(client, flagged_run, follow_ups, msb, auditor):
    url = reverse("admin:assistance_screeningrun_change", args=[flagged_run.pk])
    listed = reverse(LIST) + f"?run__id__exact={flagged_run.pk}"
    client.force_login(auditor)
    page = client.get(url)
    assert page.context["follow_up_count"] == 3 and listed in page.content.decode()
    client.force_login(msb)  # who shares the run: the number, no list it may not open
    page = client.get(url)
    html = page.content.decode()
    assert page.context["follow_up_count"] == 3 and "另标记防止返贫监测对象" in html and listed not in html
    assert all(f.person.name not in html and mask_name(f.person.name) not in html for f in follow_ups)


def test_the_list_takes_as_many_queries_for_many_follow_ups_as_for_few(client, follow_ups, cab_town, regions):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.fixtures.factories import FollowUpFactory

    client.force_login(cab_town)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse(LIST)).status_code == 200
        return len(captured)

    few = queries()
    for _ in range(8):
        FollowUpFactory(person__region=regions["hantian"], run=follow_ups[0].run)
    assert len(_listed(client)) == 11 and queries() == few


def test_the_runs_count_is_the_officers_own_area(flagged_run, follow_ups, cab_village, other_town, msb):
    from assistance.followup.selectors import run_follow_up_count

    assert [run_follow_up_count(user=user, run=flagged_run) for user in (cab_village, other_town, msb)] == [2, 0, 3]
