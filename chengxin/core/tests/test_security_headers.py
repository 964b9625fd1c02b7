"""Every page carries the Content-Security-Policy and the other security headers, and no template holds what
that policy would block (inline script, event handler attribute, javascript: URL, style attribute)."""

import re
from pathlib import Path

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db

TEMPLATE_DIRS = [Path(settings.BASE_DIR) / "templates", *Path(settings.BASE_DIR).glob("*/templates")]
# An inline <script> is one without src; JSON data blocks (json_script) are not run and are allowed.
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)
FORBIDDEN = {
    "inline <script>": INLINE_SCRIPT,
    "event handler attribute": EVENT_HANDLER,
    "javascript: URL": re.compile(r"javascript:", re.IGNORECASE),
    "style attribute": re.compile(r"\sstyle\s*=", re.IGNORECASE),
    "<style> element": re.compile(r"<style[\s>]", re.IGNORECASE),
    "htmx code attribute": re.compile(r"\shx-on|hx-vals=['\"]js:|hx-vars=", re.IGNORECASE),
}


def _templates():
    for directory in TEMPLATE_DIRS:
        yield from sorted(directory.rglob("*.html"))


@pytest.mark.parametrize("template", list(_templates()), ids=lambda p: str(p.relative_to(settings.BASE_DIR)))
def test_no_template_holds_what_the_policy_blocks(template):
    text = template.read_text(encoding="utf-8")
    found = [
        f"{what}: {m.group(0).strip()!r} (line {text.count(chr(10), 0, m.start()) + 1})"
        for what, pattern in FORBIDDEN.items()
        for m in pattern.finditer(text)
    ]
    assert found == []


def _policy(response) -> dict[str, str]:
    return dict(part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";"))


@pytest.mark.parametrize("path", ["/accounts/login/", "/public/2020/", "/public/cases/", "/commitments/2020/"])
def test_public_pages_carry_the_policy_and_the_headers(client, campaign, path):
    client.get(path)
    response = client.get(path)  # the second answer of a public page comes from the page cache
    assert response.status_code == 200
    policy = _policy(response)
    assert policy["script-src"] == "'self'" and policy["style-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'" and policy["object-src"] == "'none'"
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]


def test_signed_in_pages_and_errors_carry_the_policy_too(client, settings, alice):
    settings.CHENGXIN_2FA_REQUIRED = False
    client.force_login(alice)
    page = client.get("/campaigns/2020/report/440000/")
    assert page.status_code == 200
    assert _policy(page)["script-src"] == "'self'"
    assert b'name="htmx-config"' in page.content  # htmx adds no <style> of its own
    missing = client.get("/campaigns/2020/report/110000/")  # another unit's table: not found
    assert missing.status_code == 404
    assert _policy(missing)["default-src"] == "'self'"
