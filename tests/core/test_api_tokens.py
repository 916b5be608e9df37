"""API tokens are never readable after they are issued: only a digest is stored, the key is shown
once, to its owner, who alone issues it (the administrator revokes, never issues); no role but the
administrator reaches the token table — the auditor least of all, whose key-reading once let them
record money — and the auditor reads every issue and revocation in the audit trail."""
import datetime as dt
import hashlib
import importlib

import pytest
from django.apps import apps as django_apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from fundportal.models import ApiToken as AuthToken

from fundportal.tokens import api_token_issue, api_token_revoke

pytestmark = pytest.mark.django_db

TOKENS_ADMIN = reverse("admin:fundportal_apitoken_changelist")
TOKEN_ADD = reverse("admin:fundportal_apitoken_add")
MY_TOKENS = reverse("my_api_tokens")
DONATIONS_API = reverse("api-donations")
DONATION = {"amount": "500.00", "received_on": "2026-01-05", "channel": "cash", "is_anonymous": True}


def _token_client(key):
    return Client(HTTP_AUTHORIZATION=f"Token {key}")


def _stored_text(token) -> str:
    return " ".join(str(value) for value in AuthToken.objects.filter(pk=token.pk).values_list().get())


def test_the_auditor_cannot_read_tokens_nor_act_as_finance(client, auditor, finance):
    _token, key = api_token_issue(user=finance, acting_user=finance)
    client.force_login(auditor)
    for url in (TOKENS_ADMIN, TOKEN_ADD, reverse("admin:axes_accessattempt_changelist"),
                reverse("admin:axes_accesslog_changelist"), reverse("admin:axes_accessfailurelog_changelist")):
        response = client.get(url)
        assert response.status_code == 403, url
        assert key not in response.content.decode()
    index = client.get(reverse("admin:index")).content.decode()
    assert TOKENS_ADMIN not in index and "axes" not in index
    assert not auditor.has_perm("fundportal.view_apitoken") and not auditor.has_perm("sessions.view_session")
    # Only finance's own key records money; the auditor's session cannot.
    assert client.post(DONATIONS_API, DONATION, content_type="application/json").status_code == 403


def test_a_token_is_issued_only_by_its_owner_never_by_the_administrator(client, administrator, finance):
    # A token acts as its owner and its actions are recorded under the owner's name: one issued by
    # someone else would let them act, unseen, as the owner.
    with pytest.raises(PermissionDenied):
        api_token_issue(user=finance, acting_user=administrator)
    client.force_login(administrator)
    assert client.get(TOKEN_ADD).status_code == 403
    assert client.post(TOKEN_ADD, {"user": finance.pk, "days": "90"}).status_code == 403
    assert TOKEN_ADD not in client.get(TOKENS_ADMIN).content.decode()
    assert not AuthToken.objects.exists()


def test_an_administrator_revokes_a_token_and_it_stops_working(client, administrator, finance):
    token, key = api_token_issue(user=finance, acting_user=finance)
    client.force_login(administrator)
    client.post(TOKENS_ADMIN, {"action": "revoke", "_selected_action": [token.pk]})
    assert not AuthToken.objects.exists()
    assert _token_client(key).get(DONATIONS_API).status_code in (401, 403)
    revoked = AuthToken.history.get(history_type="-")
    assert revoked.history_user == administrator and revoked.user_id == finance.pk


def test_token_issue_and_revocation_are_in_the_audit_trail_without_the_key(client, administrator, auditor, finance):
    client.force_login(finance)
    issued = client.post(MY_TOKENS, {"action": "issue"})
    key, token = issued.context["key"], AuthToken.objects.get(user=finance)
    expiry = timezone.localtime(token.expiry).strftime("%Y-%m-%d")
    client.force_login(administrator)
    client.post(TOKENS_ADMIN, {"action": "revoke", "_selected_action": [token.pk]})

    client.force_login(auditor)
    rows = client.get(reverse("audit_trail"), {"model": "fundportal.apitoken"}).context["rows"]
    assert [(r.action, r.actor, r.object_repr, r.reason) for r in rows] == [
        ("删除", "sysadmin", "finance 的 API 令牌", "管理员撤销 API 令牌"),
        ("创建", "finance", "finance 的 API 令牌", f"签发 API 令牌，有效期至 {expiry}"),
    ]
    export = b"".join(client.get(reverse("audit_trail"), {"format": "csv"}).streaming_content).decode("utf-8-sig")
    page = client.get(reverse("audit_trail")).content.decode()
    for text in (export, page):
        assert "finance 的 API 令牌" in text
        assert key not in text and token.digest not in text and token.token_key not in text


def test_bad_issue_requests_are_refused(finance):
    with pytest.raises(ValidationError):
        api_token_issue(user=finance, acting_user=finance, ttl=dt.timedelta(days=3650))
    finance.is_active = False
    finance.save()
    with pytest.raises(ValidationError):
        api_token_issue(user=finance, acting_user=finance)
    assert not AuthToken.objects.exists()


def test_a_staff_user_issues_their_own_token_once_and_revokes_it(client, finance):
    client.force_login(finance)
    issued = client.post(MY_TOKENS, {"action": "issue"})
    key = issued.context["key"]
    assert issued.status_code == 200 and "no-store" in issued["Cache-Control"] and key in issued.content.decode()
    token = AuthToken.objects.get(user=finance)
    assert token.digest == hashlib.sha512(key.encode()).hexdigest() and key not in _stored_text(token)
    assert key not in str(client.cookies) and key not in str(dict(client.session))
    page = client.get(MY_TOKENS).content.decode()
    assert key not in page and token.digest not in page and token.token_key not in page
    assert _token_client(key).get(DONATIONS_API).status_code == 200

    client.post(MY_TOKENS, {"action": "revoke", "created": "not-a-date"})  # bad input: nothing revoked
    assert AuthToken.objects.filter(user=finance).exists()
    client.post(MY_TOKENS, {"action": "revoke", "created": token.created.isoformat()})
    assert not AuthToken.objects.filter(user=finance).exists()
    assert _token_client(key).get(DONATIONS_API).status_code in (401, 403)


def test_a_staff_user_never_revokes_someone_elses_token_from_their_page(client, finance, clerk):
    token, _key = api_token_issue(user=clerk, acting_user=clerk)
    client.force_login(finance)
    client.post(MY_TOKENS, {"action": "revoke", "created": token.created.isoformat()})
    assert AuthToken.objects.filter(pk=token.pk).exists()
    assert Client().get(MY_TOKENS).status_code == 302  # anonymous: to the login page


def test_expired_tokens_are_refused(finance):
    token, key = api_token_issue(user=finance, acting_user=finance)
    AuthToken.objects.filter(pk=token.pk).update(expiry=token.created - dt.timedelta(seconds=1))
    assert _token_client(key).get(DONATIONS_API).status_code in (401, 403)


def test_readers_of_a_user_see_no_password_summary(client, auditor, admin_user, finance):
    url = reverse("admin:fundportal_user_change", args=[finance.pk])
    client.force_login(auditor)
    page = client.get(url).content.decode()
    assert "finance" in page
    for secret in (finance.password, finance.password.split("$")[-1][:6], "md5", "salt", "algorithm", "算法", "盐"):
        assert secret not in page, secret
    client.force_login(admin_user)  # the administrator still resets passwords from here
    assert "../password/" in client.get(url).content.decode()


def test_tokens_issued_before_knox_keep_working_and_their_plain_keys_are_gone(finance):
    key = "8f7dfccdcba29a58f0eeeb8f5b3c1dd108301877"  # a DRF authtoken key: 40 hex characters
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE authtoken_token (key varchar(40) PRIMARY KEY, created timestamptz, "
                       "user_id bigint)")
        cursor.execute("INSERT INTO authtoken_token VALUES (%s, now(), %s)", [key, finance.pk])
    migration = importlib.import_module("fundportal.migrations.0006_api_tokens_hashed")
    with connection.schema_editor() as editor:
        migration.plain_tokens_to_digests(django_apps, editor)
    assert "authtoken_token" not in connection.introspection.table_names()
    token = AuthToken.objects.get(user=finance)
    assert key not in _stored_text(token) and token.expiry is not None
    assert _token_client(key).get(DONATIONS_API).status_code == 200


def test_tokens_issued_for_someone_else_before_the_owner_only_rule_are_revoked_at_migrate(administrator, finance):
    from django.contrib.admin.models import ADDITION, LogEntry

    def old_issue(user, by):  # as the old admin did: the token, and a log entry against its owner
        token, key = AuthToken.objects.create(user=user, expiry=dt.timedelta(days=90))
        LogEntry.objects.log_actions(user_id=by.pk, queryset=[user], action_flag=ADDITION,
                                     change_message="签发 API 令牌，有效期至 2099-01-01", single_object=True)
        return token, key

    by_admin, admin_key = old_issue(finance, administrator)
    own, own_key = old_issue(finance, finance)
    migration = importlib.import_module("fundportal.migrations.0007_history_for_roles_regions_and_api_tokens")
    with connection.schema_editor() as editor:
        migration.revoke_tokens_issued_by_others(django_apps, editor)
    assert list(AuthToken.objects.values_list("pk", flat=True)) == [own.pk]
    assert _token_client(admin_key).get(DONATIONS_API).status_code in (401, 403)
    assert _token_client(own_key).get(DONATIONS_API).status_code == 200
    revoked = AuthToken.history.get(history_type="-", history_change_reason__contains="他人代为签发")
    assert revoked.id == by_admin.pk and revoked.user_id == finance.pk
