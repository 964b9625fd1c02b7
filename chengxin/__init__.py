import os

# openpyxl parses with lxml whenever lxml is importable (python-docx brings it) and then reads workbooks without
# defusedxml, which is what refuses entity expansion and external entities in an uploaded workbook
# (workbooks/tests/test_upload_xml_attacks.py). openpyxl decides once, at its first import, from this variable:
# set here, before any of our modules can import it.
os.environ["OPENPYXL_LXML"] = "False"
