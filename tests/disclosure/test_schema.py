"""The OpenAPI schema is served and the public endpoints keep to it (schemathesis: generated
requests, every response checked against the schema: status codes, content types, bodies)."""
import datetime as dt

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, settings

pytestmark = pytest.mark.django_db

schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application())


def test_the_schema_is_served_and_lists_the_public_and_staff_endpoints(client):
    paths = client.get("/api/schema/?format=json").json()["paths"]
    for path in ("/api/public/statements/", "/api/public/statements/{sequence}/", "/api/public/fund/",
                 "/api/donations/receipts/verify/", "/api/assistance/applications/", "/api/assistance/payouts/",
                 "/api/assistance/resolutions/", "/api/assistance/targets/", "/api/donations/receipts/"):
        assert path in paths, path


@pytest.fixture
def statements(history, finance_a):
    from disclosure.services import period_for, statement_build, statement_publish, statement_request

    for month in (5, 6):
        start, end = period_for("month", dt.date(2023, month, 1))
        statement = statement_request(kind="month", period_start=start, period_end=end, acting_user=finance_a)
        statement_publish(statement=statement_build(statement_id=statement.pk), acting_user=finance_a)


@pytest.fixture
def keep_the_test_connection():
    """Requests go straight to the WSGI app here: keep it from closing the test's database
    connection at the end of each request (Django's own test client does the same)."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@schema.include(path_regex=r"^/api/public/").parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_public_endpoints_keep_to_the_schema(case, statements, keep_the_test_connection):
    case.call_and_validate()


def test_every_operation_taking_a_body_documents_the_415_for_one_it_cannot_read(client):
    """Schemathesis once sent a broken multipart body to the objection look-up and got DRF's 415,
    which no operation documented: the schema hook now documents it wherever a body is taken."""
    import yaml

    schema = yaml.safe_load(client.get("/api/schema/").content)
    with_body = [(path, method, operation) for path, item in schema["paths"].items()
                 for method, operation in item.items() if isinstance(operation, dict) and "requestBody" in operation]
    assert with_body and all("415" in operation["responses"] for _path, _method, operation in with_body)
