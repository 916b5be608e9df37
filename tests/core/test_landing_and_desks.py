"""After logging in each role lands where its work is; every desk links to the other desks the
role may use (and only those); the public pages link the fund's disclosure from every header."""
import pytest
from django.test import Client
from django.urls import reverse

from fundportal.roles import ROLE_LANDING, Role
from tests.fixtures.factories import UserFactory
from tests.fixtures.personas import PASSWORD, make_user

pytestmark = pytest.mark.django_db

LOGIN = "/admin/login/"
# Every role lands on its work queue (fundportal/workqueue.py); the clerk's workspace shows theirs.
EXPECTED_LANDING = {
    Role.REDCROSS_CLERK: "/workspace/",
    Role.CHARITY_FINANCE: "/admin/queue/",
    Role.COUNCIL_SECRETARY: "/admin/queue/",
    Role.MSB_STAFF: "/admin/queue/",
    Role.CAB_CITY: "/admin/queue/",
    Role.CAB_TOWN: "/admin/queue/",
    Role.CAB_VILLAGE: "/admin/queue/",
    Role.AUDITOR: "/admin/queue/",
    Role.ADMINISTRATOR: "/admin/queue/",
}


def _member(role: Role, username: str = "member"):
    return make_user(username, role)


def _log_in(client, username, **extra):
    return client.post(LOGIN, {"username": username, "password": PASSWORD, **extra})


def test_every_role_has_a_landing_page():
    assert set(ROLE_LANDING) == set(Role) == set(EXPECTED_LANDING)


@pytest.mark.parametrize("role", list(Role))
def test_each_role_lands_where_its_work_is_and_may_open_it(client, role):
    _member(role)
    response = _log_in(client, "member")
    assert response.status_code == 302 and response["Location"] == EXPECTED_LANDING[role]
    assert client.get(response["Location"]).status_code == 200


def test_the_home_pages_staff_link_and_a_bare_admin_visit_count_as_no_destination(client, clerk):
    assert 'href="/admin/login/"' in client.get("/").content.decode()
    response = _log_in(client, "clerk", next="/admin/")
    assert response["Location"] == "/workspace/"


def test_an_explicit_destination_is_kept_but_never_another_site(client, finance):
    assert _log_in(client, "finance", next="/admin/donations/donation/")["Location"] == "/admin/donations/donation/"
    client.logout()
    assert _log_in(client, "finance", next="https://evil.example/")["Location"] == "/admin/queue/"


def test_a_wrong_password_or_a_non_staff_account_does_not_get_in(client, clerk):
    response = client.post(LOGIN, {"username": "clerk", "password": "wrong-password-1"})
    assert response.status_code == 200 and response.context["form"].errors
    UserFactory(username="outsider", is_staff=False)
    response = _log_in(client, "outsider")
    assert response.status_code == 200 and response.context["form"].errors
    assert "_auth_user_id" not in client.session


def test_a_signed_in_user_opening_the_login_page_goes_to_their_desk(client, clerk):
    client.force_login(clerk)
    response = client.get(LOGIN)
    assert response.status_code == 302 and response["Location"] == "/workspace/"


def _desk_links(html: str) -> str:
    start = html.index('class="desk-links"')
    return html[start:html.index("</span>", start)]


def test_the_clerks_workspace_links_to_the_desks_a_clerk_may_use(client, clerk):
    client.force_login(clerk)
    links = _desk_links(client.get(reverse("workspace:home")).content.decode())
    for url in (reverse("disclosure:overview"), reverse("my_api_tokens"), reverse("api_docs"), reverse("admin:index")):
        assert f'href="{url}"' in links, url
    assert reverse("audit_trail") not in links and 'href="/workspace/"' not in links


def test_the_admin_header_links_the_auditor_to_the_audit_trail_but_not_the_workspace(client, auditor):
    client.force_login(auditor)
    links = _desk_links(client.get(reverse("admin:index")).content.decode())
    assert f'href="{reverse("audit_trail")}"' in links and f'href="{reverse("disclosure:overview")}"' in links
    assert "/workspace/" not in links
    audit_page = client.get(reverse("audit_trail")).content.decode()
    assert f'href="{reverse("disclosure:overview")}"' in _desk_links(audit_page)


@pytest.mark.parametrize("persona", ["finance", "msb"])
def test_roles_without_the_workspace_or_audit_trail_get_no_link_to_them(request, client, persona):
    client.force_login(request.getfixturevalue(persona))
    links = _desk_links(client.get(reverse("admin:index")).content.decode())
    assert "/workspace/" not in links and reverse("audit_trail") not in links
    assert f'href="{reverse("disclosure:overview")}"' in links


def test_the_administrator_reaches_every_desk(client, admin_user):
    client.force_login(admin_user)
    links = _desk_links(client.get(reverse("admin:index")).content.decode())
    for url in ("/workspace/", reverse("audit_trail"), reverse("disclosure:overview"), reverse("api_docs")):
        assert f'href="{url}"' in links, url


@pytest.mark.parametrize("path", ["/", "/receipts/verify/", "/disclosure/", "/disclosure/verify/"])
def test_every_public_header_links_the_disclosure_pages(path):
    response = Client().get(path)  # /disclosure/ is a pre-rendered file
    html = (b"".join(response.streaming_content) if response.streaming else response.content).decode()
    header = html[html.index("<header"):html.index("</header>")]
    for url in (reverse("disclosure:overview"), reverse("disclosure:statements"), reverse("donations:receipt_verify")):
        assert f'href="{url}"' in header, (path, url)


def test_the_home_page_links_the_published_statements_not_only_receipts():
    html = Client().get("/").content.decode()
    main = html[html.index("<main"):]
    assert f'href="{reverse("disclosure:statements")}"' in main and f'href="{reverse("disclosure:overview")}"' in main


def test_repeated_wrong_passwords_still_lock_the_account_out_of_the_login_page(client, clerk, settings):
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        client.post(LOGIN, {"username": "clerk", "password": "wrong-password-1"})
    response = _log_in(client, "clerk")
    assert response.status_code in (403, 429) and "_auth_user_id" not in client.session
