"""History shows personal data one way, whoever reads it and wherever: the audit trail page and CSV
and the admin's history pages mask every personal field of every audited model, and a version of a
record is a read-only table, never a form that could show or revert what the lists mask."""
import datetime as dt
import re

import pytest
from django.contrib import admin
from django.core import checks
from django.urls import reverse
from simple_history.admin import SimpleHistoryAdmin
from fundportal.history import tracked_models

from assistance.models import InsuredPerson
from donations import services
from donations.models import Donor
from fundportal.audit import records_actor
from fundportal.history_admin import HistoryAdmin, history_admins_are_read_only_and_masked
from fundportal.masking import (
    NOT_PERSONAL_FIELDS, PERSON_DISPLAYS, PERSONAL_FIELDS, field_label, mask_bank_account, mask_name, mask_phone,
    mask_resident_id, personal_mask,
)
from fundportal.models import User
from tests.fixtures.factories import DonorFactory, make_resident_id

pytestmark = pytest.mark.django_db

# Field names that suggest a person: each such field of an audited model must be classified.
LOOKS_PERSONAL = re.compile(
    r"name|phone|mobile|tel|resident|identity|account|bank|address|birth|income|email|holder|contact|asset|"
    r"housing|note|cost|paid|pocket|sex|gender|died|deceased|household|verification|salary|wage|relation"
)
DONOR_PHONE, DONOR_NEW_PHONE = "13812341234", "13998765432"
DONOR_ID = make_resident_id(7)
STAFF_ACCOUNT = "6228480012345673256"


def _audited_fields():
    for model in tracked_models():
        kept = {f.name for f in model.history.model._meta.fields}
        for field in model._meta.concrete_fields:
            if field.name in kept and not field.is_relation:
                yield model, field


def test_every_audited_field_that_looks_personal_is_classified():
    unclassified = [
        field_label(model, field.name) for model, field in _audited_fields()
        if LOOKS_PERSONAL.search(field.name) and personal_mask(model, field.name) is None
        and field_label(model, field.name) not in NOT_PERSONAL_FIELDS
    ]
    assert unclassified == [], "add each to fundportal.masking.PERSONAL_FIELDS (or NOT_PERSONAL_FIELDS, with a reason)"


def test_the_personal_field_registry_names_real_audited_fields():
    audited = {field_label(model, field.name) for model, field in _audited_fields()}
    names = {label.split(".")[-1] for label in audited}
    for label in list(PERSONAL_FIELDS) + list(NOT_PERSONAL_FIELDS):
        assert (label.split(".")[-1] in names) if label.startswith("*.") else (label in audited), label
    assert set(PERSON_DISPLAYS) <= {m._meta.label_lower for m in tracked_models()}


@pytest.fixture
def individual_donor(finance):
    return services.donor_create(kind=Donor.Kind.INDIVIDUAL, name="张三丰", resident_id=DONOR_ID, phone=DONOR_PHONE,
                                 address="塘下镇韩田村 88 号", acting_user=finance)


@pytest.fixture
def staff_with_account(admin_user):
    user = User.objects.create(username="kezhang", first_name="林科长", is_staff=True)
    records_actor(lambda *, acting_user: user.save())(acting_user=admin_user)
    user.bank_account, user.phone = STAFF_ACCOUNT, "13700001111"
    records_actor(lambda *, acting_user: user.save())(acting_user=admin_user)
    return user


def _csv(client) -> str:
    response = client.get(reverse("audit_trail"), {"format": "csv"})
    return b"".join(response.streaming_content).decode("utf-8-sig")


def _history_pages(client, obj) -> list[str]:
    opts = obj._meta
    history = client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_history", args=[obj.pk]))
    assert history.status_code == 200 and "no-store" in history["Cache-Control"]
    pages = [history.content.decode()]
    for record in obj.history.all():
        version = client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_simple_history",
                                     args=[obj.pk, record.history_id]))
        assert version.status_code == 200 and "no-store" in version["Cache-Control"]
        pages.append(version.content.decode())
    return pages


def test_history_pages_mask_personal_data_like_the_audit_csv(client, finance, auditor, individual_donor,
                                                              staff_with_account):
    services.donor_update(donor=individual_donor, phone=DONOR_NEW_PHONE, address="塘下镇韩田村 99 号",
                          acting_user=finance)
    client.force_login(auditor)
    page = client.get(reverse("audit_trail")).content.decode()
    export = _csv(client)
    donor_pages = _history_pages(client, individual_donor)
    user_pages = _history_pages(client, staff_with_account)

    for text in [page, export, *donor_pages, *user_pages]:
        for raw in (DONOR_PHONE, DONOR_NEW_PHONE, DONOR_ID, "张三丰", "韩田村 99", STAFF_ACCOUNT, "13700001111"):
            assert raw not in text
    # The same masked value on every view, so no two views combine into the value.
    for text in [page, export, "".join(donor_pages)]:
        assert mask_phone(DONOR_PHONE) in text and mask_phone(DONOR_NEW_PHONE) in text
        assert "修改：地址、联系电话" in text and "address" not in text  # the reason names fields as people do
    for text in [page, export, "".join(user_pages)]:
        assert mask_bank_account(STAFF_ACCOUNT) in text
    assert mask_resident_id(DONOR_ID) in "".join(donor_pages) and mask_name("张三丰") in "".join(donor_pages)


def test_an_organisations_name_is_not_masked_in_history(client, finance, auditor):
    donor = DonorFactory(name="瑞安市人民医院")
    services.donor_update(donor=donor, phone="0577-65812345", acting_user=finance)
    client.force_login(auditor)
    assert "瑞安市人民医院" in client.get(reverse("audit_trail")).content.decode()
    assert "瑞安市人民医院" in "".join(_history_pages(client, donor))


def test_a_person_is_named_masked_wherever_history_names_them(client, auditor):
    @records_actor
    def edit(*, acting_user):
        person = InsuredPerson.objects.create(resident_id=make_resident_id(3), name="欧阳娜娜", sex="F",
                                              birth_date=dt.date(1968, 5, 17), household_region_text="韩田村 5 号")
        person.name = "欧阳娜姗"
        person.save()

    edit(acting_user=auditor)
    client.force_login(auditor)
    page = client.get(reverse("audit_trail"), {"model": "assistance.insuredperson"}).content.decode()
    export = _csv(client)
    for text in (page, export):
        assert "欧阳娜娜" not in text and "欧阳娜姗" not in text and "韩田村" not in text
        assert "欧阳*娜" in text and "欧阳*姗" in text


def test_a_link_to_a_person_is_shown_by_the_masked_name():
    from assistance.models import Application, HouseholdMember
    from fundportal.history import value_text

    person = InsuredPerson.objects.create(resident_id=make_resident_id(5), name="司马光", sex="M",
                                          birth_date=dt.date(1968, 5, 17))
    assert value_text(Application, "person", person.pk) == "司马*"
    assert value_text(Application, "account_number", "6228480012345673256") == "6228 **** **** 3256"
    assert value_text(HouseholdMember, "annual_income", None) == ""  # nothing stays nothing
    assert value_text(InsuredPerson, "birth_date", dt.date(1968, 5, 17)) == "******"


def test_a_gift_from_a_person_is_named_masked_in_the_trail(client, finance, auditor, individual_donor):
    from tests.donations.helpers import record

    record(finance, donor=individual_donor)
    client.force_login(auditor)
    for params in ({}, {"model": "donations.donation"}):
        assert "张三丰" not in client.get(reverse("audit_trail"), params).content.decode()
    export = _csv(client)
    assert "张三丰" not in export and "张*丰 1,000.00 元" in export  # money as money (1,000.00)


def test_a_version_of_a_record_is_a_read_only_table_not_a_form(client, admin_user, individual_donor):
    record = individual_donor.history.earliest()
    url = reverse("admin:donations_donor_simple_history", args=[individual_donor.pk, record.history_id])
    client.force_login(admin_user)
    page = client.get(url).content.decode()
    assert 'name="phone"' not in page and 'name="_save"' not in page and "<textarea" not in page
    assert mask_phone(DONOR_PHONE) in page


@pytest.mark.parametrize("persona", ["admin_user", "auditor", "finance"])
def test_history_cannot_revert_a_record_whoever_posts(request, client, persona, finance, individual_donor):
    services.donor_update(donor=individual_donor, phone=DONOR_NEW_PHONE, acting_user=finance)
    first = individual_donor.history.earliest()
    url = reverse("admin:donations_donor_simple_history", args=[individual_donor.pk, first.history_id])
    client.force_login(request.getfixturevalue(persona))
    response = client.post(url, {"kind": "individual", "name": "张三丰", "phone": DONOR_PHONE, "_save": "1"})
    assert response.status_code == 405
    assert Donor.objects.get(pk=individual_donor.pk).phone == DONOR_NEW_PHONE
    assert individual_donor.history.count() == 2


def test_a_role_without_the_record_cannot_read_its_history(client, clerk, individual_donor):
    # A 404, as on the site's change and delete pages: never a 403 telling that the record exists.
    client.force_login(clerk)
    record = individual_donor.history.earliest()
    assert client.get(reverse("admin:donations_donor_history", args=[individual_donor.pk])).status_code == 404
    assert client.get(reverse("admin:donations_donor_simple_history",
                              args=[individual_donor.pk, record.history_id])).status_code == 404


def test_a_version_that_does_not_exist_is_a_404(client, auditor, individual_donor):
    client.force_login(auditor)
    url = reverse("admin:donations_donor_simple_history", args=[individual_donor.pk, 999_999])
    assert client.get(url).status_code == 404


def test_every_history_admin_is_read_only_and_masked():
    assert history_admins_are_read_only_and_masked(None) == []
    assert all(isinstance(a, HistoryAdmin) for a in admin.site._registry.values() if isinstance(a, SimpleHistoryAdmin))


def test_an_admin_with_the_librarys_own_history_pages_fails_the_checks():
    site = admin.AdminSite(name="probe")
    site.register(Donor, SimpleHistoryAdmin)
    try:
        errors = history_admins_are_read_only_and_masked(None)
        assert [e.id for e in errors] == ["fundportal.E101"] and isinstance(errors[0], checks.Error)
    finally:
        site.unregister(Donor)
