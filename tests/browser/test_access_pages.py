"""In Chromium: the API reference renders under the strict CSP from the site's own files, and a
Red Cross clerk who follows the home page's staff link lands in the workspace."""
import pytest

from .conftest import CHROMIUM

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is missing: install Debian's chromium package"),
]


def test_the_api_reference_renders_from_local_files_without_a_csp_violation(live_server, new_context, browser_log,
                                                                            shot):
    page = new_context().new_page()
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(f"{live_server.url}/api/docs/")
    page.locator(".opblock").first.wait_for()
    assert page.locator(".opblock").count() > 5  # the operations, read from /api/schema/
    assert "慈善医疗救助共富基金 API" in page.locator(".info .title").inner_text()
    shot(page, "60-api-docs")
    outside = [url for url in requested if not url.startswith((live_server.url, "data:"))]
    assert outside == [], outside
    assert browser_log.csp_violations == [] and browser_log.page_errors == [], browser_log.console


def test_a_clerk_from_the_home_page_lands_in_the_workspace(live_server, clerk, new_context, browser_log):
    page = new_context().new_page()
    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="工作人员登录").click()
    page.fill("#id_username", "clerk")
    page.fill("#id_password", "correct-horse-battery")
    page.locator("input[type=submit]").click()
    page.wait_for_url(f"{live_server.url}/workspace/")
    assert page.get_by_role("link", name="信息公开").count() == 1
    assert browser_log.csp_violations == [], browser_log.console
