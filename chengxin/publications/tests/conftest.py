import pytest


@pytest.fixture(autouse=True)
def _no_pdf(settings):
    """No LibreOffice printing unless a test asks for it (test_pdf.py): it takes seconds a document."""
    settings.CHENGXIN_SOFFICE = ""
