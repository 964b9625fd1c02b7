"""The campaign logo: the national administrator uploads it as PNG and SVG; SVGs that could run script or load
anything are refused; the public downloads it as an attachment with a safe name."""

import pytest
from django.urls import reverse

from chengxin.portal.models import CampaignLogo

pytestmark = pytest.mark.django_db

ADMIN_PAGE = reverse("portal:logo_admin", kwargs={"year": 2020})
GOOD_SVG = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 10 10">'
    b'<defs><linearGradient id="g"><stop offset="0" stop-color="red"/></linearGradient></defs>'
    b'<circle cx="5" cy="5" r="4" fill="url(#g)"/><use xlink:href="#g"/></svg>'
)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 40


def _upload(client, kind: str, content: bytes, name: str = "logo"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(ADMIN_PAGE, {"kind": kind, "file": SimpleUploadedFile(f"{name}.{kind}", content)})


@pytest.mark.parametrize(
    "svg",
    [
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect width="1" height="1"/></svg>',
        b'<svg xmlns="http://www.w3.org/2000/svg"><rect width="1" height="1" onclick="x()"/></svg>',
        b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
        b'<image xlink:href="https://evil.example/x.png"/></svg>',
        b'<svg xmlns="http://www.w3.org/2000/svg"><a href="javascript:alert(1)"><rect/></a></svg>',
        b'<!DOCTYPE svg [<!ENTITY x "boom">]><svg xmlns="http://www.w3.org/2000/svg"><text>&x;</text></svg>',
        b'<svg xmlns="http://www.w3.org/2000/svg"><foreignObject><div xmlns="http://www.w3.org/1999/xhtml"/>'
        b"</foreignObject></svg>",
        b'<svg xmlns="http://www.w3.org/2000/svg"><rect style="fill:url(https://evil.example/a)"/></svg>',
        b'<?xml-stylesheet href="https://evil.example/a.css"?><svg xmlns="http://www.w3.org/2000/svg"/>',
        b'<svg xmlns="http://www.w3.org/2000/svg"><a><set attributeName="href" to="javascript:alert(1)"/>'
        b"<rect/></a></svg>",
        b"<html><body>not an svg</body></html>",
        b"<svg",
        # CSS after a child of <style> (the child's tail): the black-box probe's file, and its variants.
        b'<svg xmlns="http://www.w3.org/2000/svg"><style><![CDATA[ ]]><x/>@import url(https://evil.example/a.css);'
        b"</style></svg>",
        b'<svg xmlns="http://www.w3.org/2000/svg"><style>rect { fill: red }<x/>'
        b"rect { fill: url(https://evil.example/a) }</style><rect/></svg>",
        b'<svg xmlns="http://www.w3.org/2000/svg"><style><!-- a note --><x/><y/>@import "https://evil.example/a.css";'
        b"</style></svg>",
        b'<svg xmlns="http://www.w3.org/2000/svg"><style>@imp<x/>ort "https://evil.example/a.css";</style></svg>',
        b'<svg xmlns="http://www.w3.org/2000/svg"><style><x>@import "https://evil.example/a.css";</x></style></svg>',
        b'<svg xmlns="http://www.w3.org/2000/svg"><style><x/>rect { fill: \\75rl(https://evil.example/a) }</style>'
        b"</svg>",
        b'<svg xmlns="http://www.w3.org/2000/svg"><style>@imp<!-- -->ort "https://evil.example/a.css";</style></svg>',
    ],
    ids=[
        "script",
        "onload",
        "onclick",
        "external-href",
        "javascript-href",
        "doctype-entities",
        "foreign-object",
        "external-url-in-style",
        "external-stylesheet",
        "animated-href",
        "not-svg",
        "broken-xml",
        "style-import-after-a-child",
        "style-url-after-a-child",
        "style-import-after-a-comment-and-children",
        "style-import-split-by-a-child",
        "style-import-inside-a-child",
        "style-escape-after-a-child",
        "style-import-split-by-a-comment",
    ],
)
def test_an_svg_that_could_run_or_load_something_is_refused(client, dave, svg):
    client.force_login(dave)
    response = _upload(client, "svg", svg)
    assert response.status_code == 400
    assert not CampaignLogo.objects.exists()


def test_a_file_that_is_not_a_png_is_refused_as_png(client, dave):
    client.force_login(dave)
    response = _upload(client, "png", GOOD_SVG)
    assert response.status_code == 400 and "不是 PNG" in response.content.decode()
    assert not CampaignLogo.objects.exists()


def test_an_oversized_svg_is_refused(client, dave):
    client.force_login(dave)
    big = GOOD_SVG.replace(b"</svg>", b"<!--" + b"x" * (1024 * 1024) + b"--></svg>")
    assert _upload(client, "svg", big).status_code == 400
    assert not CampaignLogo.objects.exists()


def test_before_upload_the_page_points_to_the_official_source(client, campaign):
    page = client.get(reverse("portal:campaign", kwargs={"year": 2020})).content.decode()
    assert "活动标识请从" in page and "scjss.mofcom.gov.cn" in page and "（尚未上传到本平台）" in page
    assert client.get(reverse("portal:logo_png", kwargs={"year": 2020})).status_code == 404


def test_uploaded_logos_are_downloadable_by_anyone_as_attachments(client, dave):
    client.force_login(dave)
    assert _upload(client, "svg", GOOD_SVG).status_code == 302
    assert _upload(client, "png", PNG, name="../../etc/passwd").status_code == 302
    client.logout()

    page = client.get(reverse("portal:campaign", kwargs={"year": 2020})).content.decode()
    assert "尚未上传到本平台" not in page and "下载 PNG" in page and "下载 SVG" in page

    svg = client.get(reverse("portal:logo_svg", kwargs={"year": 2020}))
    assert svg.status_code == 200 and b"".join(svg.streaming_content) == GOOD_SVG
    assert svg["Content-Type"] == "image/svg+xml"
    assert svg["Content-Security-Policy"] == "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    assert svg["Content-Disposition"].startswith("attachment;")
    assert "filename*=utf-8''2020" in svg["Content-Disposition"] and ".svg" in svg["Content-Disposition"]

    png = client.get(reverse("portal:logo_png", kwargs={"year": 2020}))
    assert png.status_code == 200 and b"".join(png.streaming_content) == PNG
    assert png["Content-Type"] == "image/png" and "attachment;" in png["Content-Disposition"]
    assert "passwd" not in png["Content-Disposition"] and "/" not in png["Content-Disposition"].split("filename")[1]


def test_a_new_upload_replaces_the_old_file(client, dave):
    client.force_login(dave)
    _upload(client, "svg", GOOD_SVG)
    other = GOOD_SVG.replace(b'r="4"', b'r="3"')
    _upload(client, "svg", other)
    assert CampaignLogo.objects.count() == 1
    response = client.get(reverse("portal:logo_svg", kwargs={"year": 2020}))
    assert b"".join(response.streaming_content) == other


@pytest.mark.parametrize("persona", ["alice", "carol", "erin"])
def test_only_the_national_administrator_uploads_the_logo(client, persona, request):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(ADMIN_PAGE).status_code == 404
    assert _upload(client, "svg", GOOD_SVG).status_code == 404
    assert not CampaignLogo.objects.exists()


def test_anonymous_visitors_are_sent_to_log_in_for_the_upload_page(client, campaign):
    response = client.get(ADMIN_PAGE)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_staff_campaign_page_links_the_uploaded_logo_not_the_old_website(client, dave, alice):
    overview = reverse("campaigns:overview", kwargs={"year": 2020})
    client.force_login(alice)
    assert "scjss.mofcom.gov.cn" in client.get(overview).content.decode()  # before the upload: the source
    client.force_login(dave)
    assert _upload(client, "png", PNG).status_code == 302
    client.force_login(alice)
    page = client.get(overview).content.decode()
    assert f'href="{reverse("portal:logo_png", kwargs={"year": 2020})}" download' in page
    assert "scjss.mofcom.gov.cn" not in page
