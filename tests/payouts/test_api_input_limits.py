"""The council's API writes (sign, payout batch) take no input but the address: a body, however
absurd, changes nothing, and an out-of-range id is a 404, never a 500."""
import pytest
from django.urls import reverse

from assistance.council.services import resolution_draft_payouts
from assistance.models import Payout, PayoutBatch, Resolution
from tests.fixtures.council import fund, meeting_with_quorum, ready_application

pytestmark = pytest.mark.django_db
ABSURD = {"title": "改" * 100_000, "approved": "9" * 40, "amount": "1e400", "items": [{"amount": -1}] * 1000}


def test_signing_ignores_any_body_and_signs_the_draft_as_computed(client, secretary, clerk, town, scheme, finance_a):
    fund("100000", finance_a)
    ready_application(clerk, town, out_of_pocket="55000")
    draft = resolution_draft_payouts(meeting=meeting_with_quorum(secretary), scheme=scheme, acting_user=secretary)
    client.force_login(secretary)
    response = client.post(reverse("api-resolution-sign", args=[draft.pk]), ABSURD, content_type="application/json")
    assert response.status_code == 200, response.content[:300]
    signed = Resolution.objects.get(pk=draft.pk)
    assert signed.signed_at is not None and signed.title == draft.title
    assert signed.approved == sum(item.amount for item in signed.items.all())  # as computed, not "999…"


def test_a_payout_batch_ignores_any_body_and_pays_the_signed_amounts(client, signed, finance_a):
    resolution = signed[0]
    client.force_login(finance_a)
    response = client.post(reverse("api-payout-batch", args=[resolution.pk]), ABSURD, content_type="application/json")
    assert response.status_code == 201, response.content[:300]
    assert sorted(Payout.objects.values_list("amount", flat=True)) == sorted(
        resolution.items.values_list("amount", flat=True))


@pytest.mark.parametrize("name", ["api-resolution-sign", "api-payout-batch"])
def test_an_out_of_range_resolution_id_is_a_404(client, secretary, finance_a, name):
    client.force_login(secretary if name == "api-resolution-sign" else finance_a)
    assert client.post(reverse(name, args=[10**30]), ABSURD, content_type="application/json").status_code == 404
    assert not PayoutBatch.objects.exists()


def test_roles_that_may_not_sign_or_pay_are_refused(client, signed, clerk):
    client.force_login(clerk)
    for name in ("api-resolution-sign", "api-payout-batch"):
        assert client.post(reverse(name, args=[signed[0].pk]), ABSURD,
                           content_type="application/json").status_code == 403
    assert not PayoutBatch.objects.exists()
