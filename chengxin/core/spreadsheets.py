"""What every file a spreadsheet opens needs (the national table, the dashboard's CSV, the audit log's CSV)."""

# What makes Excel, LibreOffice or WPS read a cell as a formula (or a DDE command): = + - @, their full-width
# forms (which an IME may turn into the ASCII ones), and a tab or carriage return in front (OWASP "CSV injection").
_FORMULA_STARTS = ("=", "+", "-", "@", "＝", "＋", "－", "＠")
_CONTROL_STARTS = ("\t", "\r")


def neutralise(value):
    """`value` made safe for a spreadsheet cell: a text that starts with = + - @ (also after leading white
    space, or one starting with a tab or carriage return) gets a leading apostrophe, so that it is shown as
    text; anything that is not a text (numbers, None) is returned unchanged."""
    if not isinstance(value, str) or not value:
        return value
    if value.startswith(_CONTROL_STARTS) or value.lstrip().startswith(_FORMULA_STARTS):
        return "'" + value
    return value
