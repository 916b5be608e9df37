"""No admin change page puts a <form> inside the change form: a browser drops the inner <form>
tag, so its fields join the change form and its button posts to the change page (for the
objection's 登记核查情况 that was "没有访问权限" and the typed investigation lost). A page's own
forms go after the change form ({% block content %}{{ block.super }}…), never in field_sets,
after_field_sets or after_related_objects, which render inside it.

Every registered admin whose model has a factory is opened on a row made by it, as a superuser
(who is offered every form); a page that does not answer 200 for such a row is listed, so a new
admin is not skipped silently."""
from html.parser import HTMLParser

import pytest
from django.contrib import admin
from django.urls import NoReverseMatch, reverse

from tests.fixtures import factories

pytestmark = pytest.mark.django_db
FACTORY_OF = {value._meta.model: value for name in factories.__all__
              if isinstance(value := getattr(factories, name), type)}


class FormNesting(HTMLParser):
    """The forms that open while another is open (what the browser drops), by id or action."""

    def __init__(self):
        super().__init__()
        self.open: list[str] = []
        self.nested: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "form":
            attrs = dict(attrs)
            name = attrs.get("id") or attrs.get("action") or "?"
            if self.open:
                self.nested.append(f"{name} inside {self.open[-1]}")
            self.open.append(name)

    def handle_endtag(self, tag):
        if tag == "form" and self.open:
            self.open.pop()


def nested_forms(html: str) -> list[str]:
    parser = FormNesting()
    parser.feed(html)
    return parser.nested


def test_the_parser_sees_a_nested_form():
    assert nested_forms('<form id="a"><form id="b"></form></form><form id="c"></form>') == ["b inside a"]
    assert nested_forms('<form id="a"></form><form id="b"></form>') == []


def test_no_admin_change_page_nests_a_form(client, admin_user, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path  # a document's scan
    client.force_login(admin_user)
    checked, not_shown, nested = [], [], {}
    for model, model_admin in admin.site._registry.items():
        factory_class = FACTORY_OF.get(model)
        if factory_class is None:
            continue  # Django's and the libraries' own models
        try:
            url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_change",
                          args=[factory_class().pk])
        except NoReverseMatch:
            continue
        page = client.get(url)
        if page.status_code != 200:
            not_shown.append((model._meta.label, page.status_code))
            continue
        checked.append(model._meta.label)
        if found := nested_forms(page.content.decode()):
            nested[model._meta.label] = found
    assert nested == {}
    assert "assistance.Objection" in checked and "assistance.OutreachTask" in checked, not_shown
    assert len(checked) >= 30, (checked, not_shown)
