"""A form that trips a database constraint says what is wrong, in Chinese: every CheckConstraint
and UniqueConstraint of the project carries its own violation_error_message. Without one, Django
names the constraint ("约束 “campaign_dates_ordered” 是无效的")."""
import re

import pytest
from django.apps import apps
from django.urls import reverse

from donations.models import Campaign
from fundportal.validators import PROJECT_APPS

_CHINESE = re.compile(r"[\u4e00-\u9fff]")


def _constraints():
    for model in apps.get_models():
        if model._meta.app_label in PROJECT_APPS:
            for constraint in model._meta.constraints:
                yield f"{model._meta.label}.{constraint.name}", constraint


def test_every_constraint_of_every_model_has_a_chinese_message_of_its_own():
    constraints = dict(_constraints())
    assert "donations.Campaign.campaign_dates_ordered" in constraints and len(constraints) > 50
    unexplained = [label for label, constraint in constraints.items()
                   if constraint.violation_error_message in (None, constraint.default_violation_error_message)
                   or not _CHINESE.search(str(constraint.violation_error_message))
                   or constraint.name in str(constraint.violation_error_message)]
    assert unexplained == []


@pytest.mark.django_db
def test_a_campaign_ending_before_it_starts_is_refused_in_words_not_by_the_constraints_name(client, admin_user):
    client.force_login(admin_user)
    response = client.post(reverse("admin:donations_campaign_add"),
                           {"name": "慈善一日捐", "starts_on": "2023-07-10", "ends_on": "2023-07-01"})
    body = response.content.decode()
    assert response.status_code == 200 and "结束日期不能早于开始日期" in body
    assert "campaign_dates_ordered" not in body and not Campaign.objects.exists()
