"""A person is shown one way on a page: where a page masks the applicant, no link, label or title on
it names them in full (a record's label — its review case, its registry entry — is masked, as in
every list); the officer who verified a case appears by name, as every page names staff."""
import pytest
from django.urls import reverse
from django.utils import timezone

from assistance.review import services as review
from assistance.models import ReviewCase
from fundportal.masking import mask_name
from fundportal.models import User
from tests.review.test_applications import submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def application(shared_run, clerk, regions):
    person = ReviewCase.objects.filter(region__name="韩田村").order_by("id").first().person
    return submit(clerk, resident_id=person.resident_id, region=regions["hantian"], name=person.name)


@pytest.mark.parametrize("persona", ["cab_city", "auditor"])
def test_an_application_page_that_masks_the_applicant_names_them_nowhere_in_full(request, client, application,
                                                                                  persona):
    client.force_login(request.getfixturevalue(persona))
    page = client.get(reverse("admin:assistance_application_change", args=[application.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    name = application.person.name
    assert mask_name(name) in html
    assert name not in html  # not in the review case's link, nor the receiving account's holder
    assert reverse("admin:assistance_reviewcase_change", args=[application.review_case_id]) in html


def test_records_about_a_person_are_labelled_with_the_masked_name(application):
    name = application.person.name
    for record in (application.person, application.review_case, application.review_case.target):
        if record is not None:
            assert name not in str(record) and mask_name(name) in str(record)


def test_the_officer_who_verified_a_case_is_shown_by_name(client, monkeypatch, shared_run, cab_city, cab_town,
                                                        cab_village):
    monkeypatch.setattr(User, "__str__", lambda user: f"〈{user.pk * 7 + 3}号人员〉")
    case = ReviewCase.objects.filter(region__name="韩田村").order_by("id").first()
    case = review.review_case_assign(case=review.review_case_dispatch(case=case, acting_user=cab_city),
                                     acting_user=cab_town)
    review.review_case_verify(case=case, acting_user=cab_village, visited_on=timezone.localdate(),
                              household_income=100, household=[{"name": case.person.name, "relation": "本人"}])
    client.force_login(cab_city)
    for url in (reverse("admin:assistance_reviewcase_change", args=[case.pk]),
                reverse("admin:assistance_reviewcase_determine", args=[case.pk])):
        html = client.get(url).content.decode()
        assert str(cab_village) in html and ">cab_village<" not in html, url
