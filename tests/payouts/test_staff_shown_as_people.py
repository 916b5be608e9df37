"""Staff appear on every page as the portal names a person (str(user): 林科长, not a username) —
who signed, who prepared, who entered, who cleared a flag — and no page prints a user's raw id."""
import pytest
from django.urls import reverse

from assistance.models import FraudFlag
from assistance.payouts.services import flag_override, payout_batch_create
from fundportal.models import User

from tests.fixtures.council import fund, meeting_with_quorum, publicity_end, ready_application

pytestmark = pytest.mark.django_db


@pytest.fixture
def named(monkeypatch):
    """Whatever the display rule is (fundportal.models), pages must go through it: here it is made
    unmistakable, so a page printing a username or an id instead is caught."""
    monkeypatch.setattr(User, "__str__", lambda user: f"〈{user.first_name or '无名'}·{user.pk * 7 + 3}〉")

    def shown(user) -> str:
        return str(user)
    return shown


def _page(client, user, url) -> str:
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def test_the_signer_and_the_batch_preparer_are_shown_by_name(client, named, signed, secretary, finance_a,
                                                           finance_b):
    resolution, first, _second = signed
    batch = payout_batch_create(resolution=resolution, acting_user=finance_a)
    page = _page(client, finance_b, reverse("admin:assistance_resolution_change", args=[resolution.pk]))
    assert named(secretary) in page and f">{secretary.username}<" not in page
    page = _page(client, finance_b, reverse("admin:assistance_payoutbatch_change", args=[batch.pk]))
    assert named(finance_a) in page and f"{finance_a.username}，" not in page


def test_the_clerk_who_entered_an_application_is_shown_by_name(client, named, clerk, town, scheme):
    application = ready_application(clerk, town, out_of_pocket="1000")
    for url in (reverse("workspace:application", args=[application.number]),
                reverse("workspace:slip", args=[application.number]), reverse("workspace:home")):
        page = _page(client, clerk, url)
        assert named(clerk) in page and f">{clerk.username}<" not in page, url


def test_a_cleared_flag_names_who_cleared_it_and_the_staff_account_holder(client, named, secretary, clerk, town,
                                                                         scheme, finance_a, finance_b):
    from assistance.council.services import resolution_draft_payouts, resolution_sign

    fund("100000", finance_a)
    clerk.bank_account = "6228480012345670999"
    clerk.save()
    ready_application(clerk, town, out_of_pocket="55000", account="6228480012345670999")
    draft = resolution_draft_payouts(meeting=meeting_with_quorum(secretary), scheme=scheme, acting_user=secretary)
    resolution = resolution_sign(resolution=draft, acting_user=secretary)
    publicity_end(resolution)
    batch = payout_batch_create(resolution=resolution, acting_user=finance_a)
    flag = FraudFlag.objects.get()
    assert named(clerk) in flag.detail and clerk.username not in flag.detail
    flag_override(flag=flag, acting_user=finance_b, reason="经核实为本人家属账户")
    page = _page(client, finance_a, reverse("admin:assistance_payoutbatch_change", args=[batch.pk]))
    assert named(finance_b) in page
    page = _page(client, finance_a, reverse("admin:assistance_fraudflag_changelist"))
    assert named(finance_b) in page and f">{finance_b.pk}<" not in page
