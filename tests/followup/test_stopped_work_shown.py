"""When a person dies or moves away their pending work is stopped (assistance/followup/stopping.py)
with the reason written on it: the review case's page shows its 终止原因, the application's pages
— the clerk's workspace and the admin — show theirs, only when there is one to show."""
import pytest
from django.urls import reverse

from assistance.followup.stopping import person_pending_work_stop
from assistance.models import Application, InsuredPerson, ReviewCase
from tests.fixtures.factories import ApplicationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def stopped(shared_run, regions, clerk) -> tuple[ReviewCase, Application]:
    """韩田村's first family: its case under review and an application entered by the clerk, both
    stopped because the registry now records the person as dead."""
    case = ReviewCase.objects.filter(region=regions["hantian"]).order_by("id").first()
    application = ApplicationFactory(person=case.person, year=case.year, review_case=case, region=case.region,
                                     state=Application.State.UNDER_REVIEW, entered_by=clerk)
    InsuredPerson.objects.filter(pk=case.person_id).update(is_deceased=True)
    assert person_pending_work_stop(person_id=case.person_id) == 2
    case.refresh_from_db()
    application.refresh_from_db()
    assert (case.state, application.state) == (ReviewCase.State.CLOSED, Application.State.WITHDRAWN)
    return case, application


def test_the_closed_cases_page_shows_its_reason(client, stopped, cab_village, msb):
    case, _application = stopped
    for user in (cab_village, msb):
        client.force_login(user)
        html = client.get(reverse("admin:assistance_reviewcase_change", args=[case.pk])).content.decode()
        assert "已终止" in html and "终止原因" in html and "对象已死亡" in html


def test_an_open_cases_page_has_no_reason_line(client, shared_run, regions, cab_village):
    case = ReviewCase.objects.filter(region=regions["hantian"]).order_by("id").last()
    client.force_login(cab_village)
    assert "终止原因" not in client.get(reverse("admin:assistance_reviewcase_change", args=[case.pk])).content.decode()


def test_the_withdrawn_applications_pages_show_the_reason(client, stopped, clerk, auditor):
    _case, application = stopped
    client.force_login(clerk)
    page = client.get(reverse("workspace:application", args=[application.number]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "终止原因" in html and "对象已死亡" in html and "13812345678" not in html
    client.force_login(auditor)
    html = client.get(reverse("admin:assistance_application_change", args=[application.pk])).content.decode()
    assert "终止原因" in html and "对象已死亡" in html and "13812345678" not in html


def test_an_application_not_withdrawn_shows_no_reason(client, clerk, auditor, regions):
    application = ApplicationFactory(entered_by=clerk, person__region=regions["hantian"])
    client.force_login(clerk)
    assert "终止原因" not in client.get(reverse("workspace:application", args=[application.number])).content.decode()
    client.force_login(auditor)
    html = client.get(reverse("admin:assistance_application_change", args=[application.pk])).content.decode()
    assert "终止原因" not in html
