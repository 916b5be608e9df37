"""One submission records money once, whoever races it, and a key belongs to the user who sent it
(IETF draft "The Idempotency-Key HTTP Header Field"; Stripe): the same user with the same body gets
the first answer, the same key with another body is a 422 naming the conflict, and another user's
key never hands out somebody else's donation."""
import datetime as dt
import uuid

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from donations.models import Donation
from fundportal.models import LedgerEntry
from fundportal.roles import Role
from tests.concurrency import run_concurrently
from tests.fixtures.personas import make_user
from tests.fixtures.factories import DonorFactory

ADD_URL = reverse("admin:donations_donation_add")
API_URL = reverse("api-donations")


@pytest.fixture
def finance2(db):
    return make_user("finance2", Role.CHARITY_FINANCE)


def _yesterday() -> str:
    return (timezone.localdate() - dt.timedelta(days=1)).isoformat()


def _admin_form(donor, key, **changes) -> dict:
    return {"donor": donor.pk, "amount": "311000", "received_on": _yesterday(), "channel": "bank_transfer",
            "bank_reference": "RA20230705001", "giver_count": "3126", "note": "全院职工",
            "submission_key": str(key), **changes}


def _api_body(**changes) -> dict:
    return {"amount": "500.00", "received_on": _yesterday(), "channel": "cash", "is_anonymous": True, **changes}


def _logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_admin_posts_of_one_form_record_once_and_all_get_the_donation_page(finance):
    form = _admin_form(DonorFactory(name="瑞安市人民医院"), uuid.uuid4())
    clients = [_logged_in(finance) for _ in range(20)]

    results = run_concurrently(lambda index: clients[index].post(ADD_URL, form), 20)

    assert not [r for r in results if isinstance(r, Exception)], [r for r in results if isinstance(r, Exception)]
    donation = Donation.objects.get()
    page = reverse("admin:donations_donation_change", args=[donation.pk])
    assert [(r.status_code, r["Location"]) for r in results] == [(302, page)] * 20
    assert LedgerEntry.objects.count() == 1 and donation.receipts.count() == 1


@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_api_retries_with_one_key_record_once_and_answer_alike(finance):
    key = str(uuid.uuid4())
    clients = [_logged_in(finance) for _ in range(20)]

    results = run_concurrently(lambda index: clients[index].post(
        API_URL, _api_body(), content_type="application/json", HTTP_IDEMPOTENCY_KEY=key), 20)

    assert not [r for r in results if isinstance(r, Exception)]
    donation = Donation.objects.get()
    assert {(r.status_code, r.json()["id"]) for r in results} == {(201, donation.pk)}
    assert LedgerEntry.objects.count() == 1


@pytest.mark.django_db
class TestIdempotencyKeySemantics:
    def test_the_same_user_with_the_same_body_gets_the_first_answer(self, client, finance):
        client.force_login(finance)
        key = str(uuid.uuid4())
        first = client.post(API_URL, _api_body(amount="500"), content_type="application/json",
                            HTTP_IDEMPOTENCY_KEY=key)
        again = client.post(API_URL, _api_body(amount="500.00"), content_type="application/json",
                            HTTP_IDEMPOTENCY_KEY=key)
        assert first.status_code == again.status_code == 201 and first.json() == again.json()
        assert again["Idempotent-Replayed"] == "true" and not first.has_header("Idempotent-Replayed")
        assert Donation.objects.count() == 1

    def test_the_same_key_with_another_body_is_a_422_naming_the_conflict(self, client, finance):
        client.force_login(finance)
        key = str(uuid.uuid4())
        first = client.post(API_URL, _api_body(), content_type="application/json", HTTP_IDEMPOTENCY_KEY=key)
        other = client.post(API_URL, _api_body(amount="50000.00"), content_type="application/json",
                            HTTP_IDEMPOTENCY_KEY=key)
        assert first.status_code == 201 and other.status_code == 422
        assert "Idempotency-Key" in other.json()["detail"] and "内容不同" in other.json()["detail"]
        assert Donation.objects.count() == 1 and LedgerEntry.objects.count() == 1

    def test_another_users_key_never_returns_the_first_users_donation(self, client, finance, finance2):
        key = str(uuid.uuid4())
        client.force_login(finance)
        first = client.post(API_URL, _api_body(), content_type="application/json", HTTP_IDEMPOTENCY_KEY=key)
        client.force_login(finance2)
        theirs = client.post(API_URL, _api_body(), content_type="application/json", HTTP_IDEMPOTENCY_KEY=key)
        assert first.status_code == theirs.status_code == 201
        assert theirs.json()["id"] != first.json()["id"]
        assert Donation.objects.get(pk=theirs.json()["id"]).recorded_by == finance2

    def test_the_admin_submission_key_is_scoped_to_its_user(self, client, finance, finance2):
        donor, key = DonorFactory(), uuid.uuid4()
        client.force_login(finance)
        assert client.post(ADD_URL, _admin_form(donor, key)).status_code == 302
        client.force_login(finance2)
        # finance2 replaying finance's key is a new submission of theirs: refused on its own merits
        # (the transfer is already recorded), never answered with finance's donation page.
        response = client.post(ADD_URL, _admin_form(donor, key))
        assert response.status_code == 200 and "已登记过" in response.content.decode()
        assert Donation.objects.get().recorded_by == finance

    def test_the_admin_form_sent_again_with_other_values_records_nothing_and_says_so(self, client, finance):
        donor, key = DonorFactory(), uuid.uuid4()
        client.force_login(finance)
        first = client.post(ADD_URL, _admin_form(donor, key))
        changed = client.post(ADD_URL, _admin_form(donor, key, amount="1000", bank_reference="RA-OTHER"))
        assert changed.status_code == 302 and changed["Location"] == first["Location"]
        assert any("内容不同" in str(m) for m in get_messages(changed.wsgi_request))
        assert Donation.objects.count() == 1 and LedgerEntry.objects.count() == 1

    def test_a_role_without_the_add_permission_cannot_use_a_key_to_read_a_donation(self, client, finance, auditor):
        key = str(uuid.uuid4())
        client.force_login(finance)
        client.post(API_URL, _api_body(), content_type="application/json", HTTP_IDEMPOTENCY_KEY=key)
        client.force_login(auditor)
        refused = client.post(API_URL, _api_body(), content_type="application/json", HTTP_IDEMPOTENCY_KEY=key)
        assert refused.status_code == 403 and "id" not in refused.json()
