"""The import preview as a screen reader meets it (issue 16): the problems of a file that will not be imported are
announced (role="alert") and each names its cell; a finding about a figure is tied to that figure's new value in
the preview table (aria-describedby), whose rows are headed by the cell's name."""

import re

import pytest

from chengxin.workbooks.tests.builders import FILLED, attachment, to_bytes
from chengxin.workbooks.tests.test_views import IMPORT, _post_and_run, _upload

pytestmark = pytest.mark.django_db


def _preview(client, django_capture_on_commit_callbacks, filled: dict) -> str:
    files = {"files": [_upload("广东.xlsx", to_bytes(attachment(filled)))]}
    preview, _ = _post_and_run(client, django_capture_on_commit_callbacks, IMPORT, files)
    return preview.content.decode()


def _described(page: str, text: str) -> str:
    """The text of the element a value cell's aria-describedby names, for the row headed `text`."""
    row = re.search(rf"<th scope=\"row\">{re.escape(text)}</th>.*?</tr>", page, re.S).group(0)
    [ids] = re.findall(r'aria-describedby="([^"]+)"', row)
    return " ".join(
        re.search(rf'<li class="finding-\w+" id="{i}">(.*?)</li>', page, re.S).group(1) for i in ids.split()
    )


def test_a_warning_is_tied_to_the_figure_it_is_about(client, alice, django_capture_on_commit_callbacks):
    client.force_login(alice)
    page = _preview(client, django_capture_on_commit_callbacks, dict(FILLED, **{"宣传覆盖总人数（人次）": "100"}))
    assert "可以导入" in page
    assert "宣传覆盖总人数小于会议人次与直播观看人次之和" in _described(page, "宣传效果 › 宣传覆盖总人数（人次）")
    assert page.count("aria-describedby=") == 1  # the other figures have nothing said about them


def test_a_rules_error_is_announced_and_tied_to_its_figure(client, alice, django_capture_on_commit_callbacks):
    client.force_login(alice)
    page = _preview(client, django_capture_on_commit_callbacks, dict(FILLED, **{"会议（场次、人次）": "12场，5人次"}))
    assert "不会导入" in page
    problems = re.search(r'<div role="alert"><ul class="problems">(.*?)</ul></div>', page, re.S).group(1)
    assert "广东.xlsx!Sheet1!" in problems and "人次不能少于场次" in problems
    assert "人次不能少于场次" in _described(page, "户外活动 › 会议（场次、人次） 人次")
