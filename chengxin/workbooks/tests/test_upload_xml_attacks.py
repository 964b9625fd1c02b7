"""Workbooks built to attack the XML parser or the unzipper (billion laughs, external entities, an entry that
inflates beyond its declared size) are refused before anything is read, and would be harmless even past that
check: openpyxl parses with defusedxml, and Python's zipfile stops at an entry's declared size."""

import io
import zipfile

import pytest
from defusedxml import DefusedXmlException
from openpyxl import load_workbook

from chengxin.statform.selectors import form_definition
from chengxin.units.models import Unit
from chengxin.workbooks.parse import parse_workbook
from chengxin.workbooks.safety import WorkbookRefused, check_workbook_bytes
from chengxin.workbooks.tests.builders import attachment, rezip, to_bytes

pytestmark = pytest.mark.django_db

LIMITS = {"max_uncompressed": 50 * 1024 * 1024, "max_entries": 2_000}
LAUGHS = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(2, 10)).replace("&lol1;", "&lol;")
    + "]>\n"
)
XXE = '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
PARTS = ["xl/workbook.xml", "xl/worksheets/sheet1.xml", "xl/styles.xml", "[Content_Types].xml"]


def _with_prologue(workbook: bytes, part: str, prologue: str, *, encoding: str = "utf-8") -> bytes:
    """The workbook with `part` starting with `prologue` (its own XML declaration replaced), the entity used
    in the part so that a parser that expands it would have to."""

    def change(name: str, content: bytes) -> bytes:
        if name != part:
            return content
        text = content.decode("utf-8")
        if text.startswith("<?xml"):
            text = text[text.index("?>") + 2 :].lstrip()
        entity = "&lol9;" if "lol9" in prologue else "&xxe;"
        root_end = text.index(">", text.index("<") + 1) + 1
        text = prologue + text[:root_end] + f"<!-- {entity} -->" + text[root_end:]
        if encoding != "utf-8":
            text = text.replace('encoding="UTF-8"', 'encoding="UTF-16"')
        return text.encode(encoding)

    return rezip(workbook, change=change)


@pytest.fixture
def workbook() -> bytes:
    data = to_bytes(attachment())
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert set(PARTS) <= set(z.namelist())
    return data


def _causes(exc: BaseException):
    while exc is not None:
        yield exc
        exc = exc.__cause__ or exc.__context__


@pytest.mark.parametrize("part", PARTS)
@pytest.mark.parametrize("prologue", [LAUGHS, XXE], ids=["billion-laughs", "external-entity"])
def test_entity_declarations_are_refused_before_parsing(workbook, part, prologue):
    data = _with_prologue(workbook, part, prologue)
    with pytest.raises(WorkbookRefused) as refused:
        check_workbook_bytes(data, name="广东省.xlsx", **LIMITS)
    assert part in refused.value.reason


@pytest.mark.parametrize("prologue", [LAUGHS, XXE], ids=["billion-laughs", "external-entity"])
def test_openpyxl_itself_refuses_entities_so_a_missed_declaration_is_harmless(workbook, prologue):
    """Past our check (here: skipped), openpyxl reads with defusedxml and refuses to expand anything."""
    for part in ("xl/workbook.xml", "xl/worksheets/sheet1.xml"):
        data = _with_prologue(workbook, part, prologue)
        with pytest.raises((DefusedXmlException, ValueError)) as refused:
            wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            for ws in wb.worksheets:
                list(ws.iter_rows(values_only=True))
        assert any(isinstance(e, DefusedXmlException) for e in _causes(refused.value)), part


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le"])
def test_a_declaration_hidden_in_utf16_is_refused_at_import_too(campaign, workbook, encoding):
    """Our byte scan looks for <!DOCTYPE in UTF-8; in UTF-16 it passes unseen, and openpyxl's defusedxml then
    refuses the entities: the import answers with a message, never a 500, and nothing is expanded."""
    data = _with_prologue(workbook, "xl/worksheets/sheet1.xml", LAUGHS, encoding=encoding)
    with pytest.raises(WorkbookRefused) as refused:
        parse_workbook(data, file_name="广东省.xlsx", definition=form_definition(campaign), units=Unit.objects.all())
    assert refused.value.place.startswith("广东省.xlsx")
    assert refused.value.reason


def _lying_zip(workbook: bytes, part: str, inflated: bytes) -> bytes:
    """The workbook with `part` replaced by `inflated`, its declared (uncompressed) size set to 100 bytes in both
    the local and the central headers: the sizes check believes it small."""
    data = bytearray(rezip(workbook, change=lambda name, content: inflated if name == part else content))
    encoded = part.encode()
    for signature, size_at, name_at in ((b"PK\x03\x04", 22, 30), (b"PK\x01\x02", 24, 46)):
        start = 0
        while (at := data.find(signature, start)) != -1:
            if data[at + name_at : at + name_at + len(encoded)] == encoded:
                data[at + size_at : at + size_at + 4] = (100).to_bytes(4, "little")
            start = at + 4
    return bytes(data)


def test_an_entry_inflating_beyond_its_declared_size_is_refused_not_inflated(campaign, workbook):
    bomb = b"<x>" + b" " * (60 * 1024 * 1024) + b"</x>"
    data = _lying_zip(workbook, "xl/worksheets/sheet1.xml", bomb)
    assert len(data) < 1024 * 1024
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert z.getinfo("xl/worksheets/sheet1.xml").file_size == 100  # what the sizes check sees
    with pytest.raises(WorkbookRefused) as refused:
        parse_workbook(data, file_name="广东省.xlsx", definition=form_definition(campaign), units=Unit.objects.all())
    assert "已损坏" in refused.value.reason
