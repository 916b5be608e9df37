"""Personal data never goes into a URL: every admin list's search is sent by POST and the
address carries a token standing for the term in the user's session; a term typed into the
address (?q=蒋芳) is not searched; the admin's autocomplete (a donor picked by name) takes its
term by POST only."""
from urllib.parse import quote, unquote

import pytest
from django.contrib import admin
from django.contrib.messages import get_messages
from django.contrib.staticfiles import finders
from django.urls import reverse

from assistance.models import InsuredPerson, ReviewCase
from assistance.review.services import review_cases_open_for_run, screening_run_share
from tests.fixtures.screening import make_run

pytestmark = pytest.mark.django_db
NAME = "蒋芳"


def _changelists():
    for model, model_admin in admin.site._registry.items():
        if model_admin.search_fields:
            yield model, reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


def search(client, url, term, **params):
    """The search form's POST, then the list it leads to."""
    posted = client.post(url, {"_search": "1", "q": term, **params})
    assert posted.status_code == 302, posted.status_code
    return posted["Location"], client.get(posted["Location"])


@pytest.fixture
def people(msb, regions):
    run = screening_run_share(run=make_run(msb, [(1, regions["hantian"]), (2, regions["xincheng"]),
                                                 (3, regions["tangxia"])]), acting_user=msb)
    review_cases_open_for_run(run=run, acting_user=msb)
    first, second, _third = InsuredPerson.objects.order_by("id")
    InsuredPerson.objects.filter(pk__in=[first.pk, second.pk]).update(name=NAME)
    return run


def test_no_admin_list_puts_its_search_term_in_an_address(client, admin_user):
    client.force_login(admin_user)
    checked = 0
    for model, url in _changelists():
        location, page = search(client, url, NAME)
        assert NAME not in unquote(location) and quote(NAME) not in location, (model, location)
        assert "q=~" in location
        assert page.status_code == 200, (model, page.status_code)
        html = page.content.decode()
        assert f'value="{NAME}"' in html  # the box shows what was searched
        assert quote(NAME) not in html and f"q={NAME}" not in html  # no link repeats it
        checked += 1
    assert checked >= 10  # the portal's and the libraries' admins with a search box


def test_a_term_typed_into_the_address_is_not_searched(client, admin_user, people):
    client.force_login(admin_user)
    for model, url in _changelists():
        response = client.get(url, {"q": NAME, "p": "1"})
        assert response.status_code == 302, model
        assert NAME not in unquote(response["Location"]) and "q=" not in response["Location"]
        assert any("搜索内容不出现在网址中" in str(m) for m in get_messages(response.wsgi_request))


def test_a_search_by_name_finds_the_people_and_keeps_the_lists_filters(client, msb, people):
    client.force_login(msb)
    url = reverse("admin:assistance_insuredperson_changelist")
    location, page = search(client, url, NAME, is_deceased__exact="0")
    assert "is_deceased__exact=0" in location
    assert {person.name for person in page.context["cl"].result_list} == {NAME}
    assert page.context["cl"].result_count == 2
    # The next click on the list (a sort, a filter) keeps the search, through the token.
    again = client.get(location + "&o=1")
    assert again.status_code == 200 and again.context["cl"].result_count == 2
    _location, cleared = search(client, url, "")
    assert cleared.context["cl"].result_count == 3


def test_a_review_case_search_stays_inside_the_officers_area(client, cab_town, other_town, people):
    url = reverse("admin:assistance_reviewcase_changelist")
    client.force_login(cab_town)
    _location, page = search(client, url, NAME)
    assert [case.region.name for case in page.context["cl"].result_list] == ["韩田村"]
    client.force_login(other_town)
    _location, page = search(client, url, NAME)
    assert [case.region.name for case in page.context["cl"].result_list] == ["莘塍街道"]
    assert ReviewCase.objects.filter(person__name=NAME).count() == 2


def test_a_search_token_means_nothing_in_another_session(client, msb, admin_user, people):
    client.force_login(msb)
    location, _page = search(client, reverse("admin:assistance_insuredperson_changelist"), NAME)
    client.force_login(admin_user)  # a new session
    response = client.get(location)
    assert response.status_code == 302 and "q=" not in response["Location"]


def test_the_autocomplete_takes_its_term_by_post_only(client, admin_user):
    client.force_login(admin_user)
    params = {"term": NAME, "app_label": "donations", "model_name": "donation", "field_name": "donor"}
    assert client.get(reverse("admin:autocomplete"), params).status_code == 405
    answer = client.post(reverse("admin:autocomplete"), params)
    assert answer.status_code == 200 and answer.json()["results"] == []
    script = open(finders.find("admin/js/autocomplete.js"), encoding="utf-8").read()
    assert "type: 'POST'" in script and "X-CSRFToken" in script  # the portal's, not Django's
