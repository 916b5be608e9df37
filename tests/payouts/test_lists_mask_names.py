"""One rule for every list of insured people, applicants and payees in the assistance admin:
names are masked in lists (张*); the full name only on the record's own page, for the roles that
see it. The insured-person list showed full names beside masked ID numbers."""
import pytest
from django.contrib import admin
from django.urls import reverse

from assistance.models import InsuredPerson
from assistance.payouts.services import payout_batch_create
from assistance.review.services import review_cases_open_for_run, screening_run_share
from fundportal.masking import mask_name
from tests.fixtures.screening import make_run

pytestmark = pytest.mark.django_db


@pytest.fixture
def everyone(signed, finance_a, msb, town):
    """People in every list: warning targets and review cases, applications, a resolution, a batch."""
    run = screening_run_share(run=make_run(msb, [(1, town), (2, town)]), acting_user=msb)
    review_cases_open_for_run(run=run, acting_user=msb)
    payout_batch_create(resolution=signed[0], acting_user=finance_a)
    return list(InsuredPerson.objects.values_list("name", flat=True))


def test_no_assistance_list_shows_a_persons_full_name(client, admin_user, everyone):
    client.force_login(admin_user)
    listed = 0
    for model in admin.site._registry:
        if model._meta.app_label != "assistance":
            continue
        page = client.get(reverse(f"admin:assistance_{model._meta.model_name}_changelist"))
        if page.status_code != 200:
            continue
        html = page.content.decode()
        for name in everyone:
            assert name not in html, (model, name)
        listed += any(mask_name(name) in html for name in everyone)
    assert listed >= 5  # people, targets, review cases, applications, payouts …


def test_the_insured_person_list_masks_names_and_the_persons_page_shows_the_full_name(client, msb, everyone):
    person = InsuredPerson.objects.order_by("id").first()
    client.force_login(msb)
    listing = client.get(reverse("admin:assistance_insuredperson_changelist")).content.decode()
    assert mask_name(person.name) in listing and person.name not in listing
    page = client.get(reverse("admin:assistance_insuredperson_change", args=[person.pk])).content.decode()
    assert person.name in page
