"""Every model of the portal's four apps has a factory (tests/fixtures/factories), and every factory
writes a row the model accepts whole (full_clean) — so a test never builds rows by hand because
its model has no factory, and a new model comes with one.

simple-history's historical models are not the portal's own: their rows are written only by
django-simple-history, beside the tracked model's (tests/core/test_history_coverage.py)."""
import pytest
from django.apps import apps

from tests.fixtures import factories

APPS = ("fundportal", "donations", "assistance", "disclosure")
FACTORIES = [value for name in factories.__all__ if isinstance(value := getattr(factories, name), type)]


def _own_models():
    return [model for app in APPS for model in apps.get_app_config(app).get_models()
            if not hasattr(model, "instance_type")  # a historical model (its tracked model is instance_type)
            and not model.__name__.startswith("Historical")]  # the through table of a historical many-to-many


def test_every_model_of_the_four_apps_has_a_factory():
    made = {factory_class._meta.model for factory_class in FACTORIES}
    assert [model._meta.label for model in _own_models() if model not in made] == []
    assert len(_own_models()) == 64  # the count the historical-model filter is checked against


def test_every_factory_is_listed_once_and_makes_a_model_of_the_four_apps():
    assert len(FACTORIES) == len(set(FACTORIES))
    assert {factory_class._meta.model._meta.app_label for factory_class in FACTORIES} == set(APPS)


@pytest.mark.django_db
@pytest.mark.parametrize("factory_class", FACTORIES, ids=lambda factory_class: factory_class.__name__)
def test_every_factory_writes_a_row_its_model_accepts(factory_class, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path  # a document's scan
    first, second = factory_class(), factory_class()
    model = factory_class._meta.model
    for row in (first, second):
        row.full_clean()
        assert model.objects.filter(pk=row.pk).exists()
