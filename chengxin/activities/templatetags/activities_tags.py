from django import template

from chengxin.activities.selectors import prefill_rows as _prefill_rows

register = template.Library()


@register.simple_tag
def prefill_rows(definition, suggested, current):
    """`{% prefill_rows definition suggested current as rows %}`: the pre-fill table's rows (figure, suggested,
    current, difference = current − suggested or None when nothing is typed)."""
    return _prefill_rows(definition, suggested or {}, current or {})
