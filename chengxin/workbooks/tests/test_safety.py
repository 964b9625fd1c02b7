"""Files that are not plain .xlsx workbooks are refused before openpyxl reads them (workbooks/safety.py)."""

import io
import zipfile

import pytest

from chengxin.workbooks.safety import WorkbookRefused, check_workbook_bytes
from chengxin.workbooks.tests.builders import attachment, compound_file, rezip, to_bytes

LIMITS = {"max_uncompressed": 50 * 1024 * 1024, "max_entries": 2_000}
MACRO_TYPE = b"application/vnd.ms-excel.sheet.macroEnabled.main+xml"
XLSX_TYPE = b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"


def refusal(data: bytes, name: str = "广东省.xlsx", **limits) -> WorkbookRefused:
    with pytest.raises(WorkbookRefused) as excinfo:
        check_workbook_bytes(data, name=name, **(LIMITS | limits))
    assert excinfo.value.place == name
    assert str(excinfo.value).startswith(f"{name}: ")
    return excinfo.value


@pytest.fixture
def workbook() -> bytes:
    return to_bytes(attachment())


def test_a_plain_workbook_passes(workbook):
    check_workbook_bytes(workbook, name="广东省.xlsx", **LIMITS)


@pytest.mark.parametrize(
    "data",
    [b"hello", b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n", "项目,数量\n会议,12\n".encode(), b"<html></html>"],
)
def test_something_that_is_not_a_workbook_is_refused(data):
    assert "请上传 .xlsx 文件" in refusal(data).reason


def test_an_empty_file_is_refused():
    assert refusal(b"").reason == "文件是空的，请重新选择"


def test_an_old_xls_is_refused_with_a_way_out():
    xls = compound_file({"Workbook": b"\x09\x08" + b"\0" * 100, "\x05SummaryInformation": b"\0" * 64})
    assert "请另存为 .xlsx" in refusal(xls, "广东省.xls").reason


def test_an_encrypted_workbook_is_refused():
    # Excel saves a password-protected .xlsx as an OLE container with the real zip encrypted inside.
    encrypted = compound_file({"EncryptionInfo": b"\x04\x00\x04\x00" + b"\0" * 60, "EncryptedPackage": b"\0" * 5000})
    assert "加密" in refusal(encrypted).reason


def test_a_zip_with_encrypted_entries_is_refused(workbook):
    # A zip entry flagged as encrypted (general purpose bit 0), as some tools write a "protected" xlsx.
    data = bytearray(workbook)
    with zipfile.ZipFile(io.BytesIO(workbook)) as archive:
        for info in archive.infolist():
            data[info.header_offset + 6] |= 0x1
    central = data.find(b"PK\x01\x02")
    while central != -1:
        data[central + 8] |= 0x1
        central = data.find(b"PK\x01\x02", central + 4)
    assert "加密" in refusal(bytes(data)).reason


def test_a_macro_enabled_workbook_is_refused(workbook):
    def as_xlsm(name, content):
        return content.replace(XLSX_TYPE, MACRO_TYPE) if name == "[Content_Types].xml" else content

    xlsm = rezip(workbook, add={"xl/vbaProject.bin": b"\xcc" * 512}, change=as_xlsm)
    assert "含有宏" in refusal(xlsm, "广东省.xlsm").reason


def test_a_vba_project_alone_is_enough_to_refuse(workbook):
    assert "含有宏" in refusal(rezip(workbook, add={"xl/vbaProject.bin": b"\xcc" * 512})).reason


def test_a_binary_xlsb_workbook_is_refused_with_a_way_out():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("[Content_Types].xml", b'<Types><Override PartName="/xl/workbook.bin" '
                   b'ContentType="application/vnd.ms-excel.sheet.binary.macroEnabled.main"/></Types>')  # fmt: skip
        z.writestr("xl/workbook.bin", b"\x83\x01\x00")
    assert "另存为“Excel 工作簿（.xlsx）”" in refusal(buffer.getvalue(), "统计表.xlsb").reason


def test_a_word_document_is_not_a_workbook():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("[Content_Types].xml", b'<Types><Override ContentType="application/vnd.openxmlformats-'
                   b'officedocument.wordprocessingml.document.main+xml"/></Types>')  # fmt: skip
        z.writestr("word/document.xml", b"<w:document/>")
    assert "可能是 Word 文档" in refusal(buffer.getvalue(), "总结.docx").reason


def test_a_zip_bomb_over_the_size_cap_is_refused(workbook):
    bomb = rezip(workbook, add={"xl/media/image1.bin": b"\0" * (60 * 1024 * 1024)})
    assert len(bomb) < 1024 * 1024  # small on the wire
    assert "解压后过大" in refusal(bomb).reason


def test_a_zip_bomb_by_ratio_is_refused_even_under_the_cap(workbook):
    bomb = rezip(workbook, add={"xl/media/image1.bin": b"\0" * (8 * 1024 * 1024)})
    assert "疑似压缩炸弹" in refusal(bomb).reason


def test_too_many_entries_are_refused(workbook):
    many = rezip(workbook, add={f"xl/extra/{i}.xml": b"<x/>" for i in range(30)})
    assert "条目过多" in refusal(many, max_entries=25).reason


def test_a_damaged_zip_is_refused(workbook):
    assert "已损坏" in refusal(workbook[: len(workbook) // 2]).reason


def test_xml_declaring_entities_is_refused(workbook):
    laughs = b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>\n'
    data = rezip(workbook, change=lambda name, c: laughs + c if name == "xl/workbook.xml" else c)
    assert "xl/workbook.xml" in refusal(data).reason
