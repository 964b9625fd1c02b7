"""The interactive docs work in a real browser under the site's Content-Security-Policy, from local files."""

import pytest

from chengxin.conftest import shot


@pytest.mark.browser
def test_interactive_docs_render_every_operation_without_errors(page, campaign):
    requested = []
    page.on("request", lambda r: requested.append(r.url))
    page.goto(page.base_url + "/api/v1/docs")
    page.wait_for_selector(".swagger-ui .opblock")
    assert page.locator(".opblock").count() == 13
    assert page.get_by_text("诚信兴商宣传月活动管理平台 API").first.is_visible()
    shot(page, "api-docs")
    assert page.console_errors == []
    assert all(url.startswith(page.base_url) for url in requested), requested  # nothing from a CDN
