"""Every text a person types has a length limit, whichever way it arrives: a TextField (or a
CharField without max_length) has none of its own, so fundportal.validators.install_text_limits
gives each one TEXT_MAX_LENGTH at startup — checked by model forms (the admin), full_clean(),
column_errors() and API inputs, and by a pre_save guard for services fed by plain forms. A 1 MB
campaign description, 1 MB meeting minutes and 200,000-character application notes were stored."""
import datetime as dt

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.urls import reverse

from donations.models import Campaign
from fundportal.validators import (PROJECT_APPS, SYSTEM_TEXT, TEXT_MAX_LENGTH, column_errors, text_limit,
                                   unbounded_text_fields)


def _typed_text_fields():
    for model in apps.get_models(include_auto_created=True):
        if model._meta.app_label not in PROJECT_APPS:
            continue
        original = getattr(model, "instance_type", model)
        for field in unbounded_text_fields(model):
            if f"{original._meta.label}.{field.name}" not in SYSTEM_TEXT:
                yield f"{model._meta.label}.{field.name}", field


def test_every_text_column_of_every_model_has_a_length_limit_unless_the_system_writes_it():
    fields = dict(_typed_text_fields())
    assert "assistance.Application.notes" in fields and "assistance.Meeting.minutes" in fields  # the walk sees them
    unlimited = [label for label, field in fields.items() if text_limit(field) is None]
    assert unlimited == []
    assert text_limit(Campaign._meta.get_field("description")) == TEXT_MAX_LENGTH


def test_system_text_is_never_limited():
    from disclosure.models import Statement

    assert text_limit(Statement._meta.get_field("document")) is None  # its hash is its identity


@pytest.mark.django_db
def test_an_over_long_text_is_refused_by_an_admin_form_with_a_chinese_message(client, admin_user):
    client.force_login(admin_user)
    response = client.post(reverse("admin:donations_campaign_add"), {
        "name": "慈善一日捐", "starts_on": "2023-07-01", "description": "长" * 300_000})
    assert response.status_code == 200
    assert "内容过长：最多 5000 个字符" in response.content.decode()
    assert not Campaign.objects.exists()


@pytest.mark.django_db
def test_an_over_long_text_is_refused_at_save_naming_the_field_whatever_wrote_it():
    campaign = Campaign(name="慈善一日捐", starts_on=dt.date(2023, 7, 1), description="长" * 200_000)
    with pytest.raises(ValidationError) as refused:
        campaign.save()
    assert "description" in refused.value.message_dict
    assert "最多 5000 个字符（当前 200000 个）" in refused.value.message_dict["description"][0]
    assert not Campaign.objects.exists()
    campaign.description = "长" * TEXT_MAX_LENGTH
    campaign.save()  # exactly the limit is fine


def test_a_service_checking_its_columns_sees_the_text_limit():
    assert "notes" in column_errors(apps.get_model("assistance", "ReviewCase"), notes="x" * (TEXT_MAX_LENGTH + 1))


@pytest.mark.django_db
def test_a_meeting_may_have_long_minutes_but_not_a_megabyte():
    Meeting = apps.get_model("assistance", "Meeting")
    minutes = Meeting._meta.get_field("minutes")
    minutes.run_validators("纪" * 20_000)
    with pytest.raises(ValidationError):
        minutes.run_validators("纪" * (1 << 20))


@pytest.mark.django_db
def test_application_notes_of_200000_characters_are_refused_by_the_submit_service(clerk, regions, shared_run):
    from assistance.models import Application
    from tests.fixtures.factories import make_resident_id
    from tests.review.test_applications import submit

    with pytest.raises(ValidationError) as refused:
        submit(clerk, resident_id=make_resident_id(901), region=regions["hantian"], name="王五", notes="长" * 200_000)
    assert "最多 5000 个字符" in refused.value.message_dict["notes"][0]
    assert not Application.objects.exists()
