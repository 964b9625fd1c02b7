from django import forms
from django.utils.translation import gettext_lazy as _

from chengxin.audit.models import Outcome
from chengxin.audit.selectors import AuditFilters, action_choices, object_type_choices


class AuditSearchForm(forms.Form):
    date_from = forms.DateField(label=_("开始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("结束日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    actor = forms.CharField(label=_("操作人"), required=False, max_length=150)
    unit = forms.CharField(label=_("单位"), required=False, max_length=100, help_text=_("单位代码或名称"))
    action = forms.ChoiceField(label=_("操作"), required=False)
    object_type = forms.ChoiceField(label=_("对象类型"), required=False)
    text = forms.CharField(label=_("对象包含"), required=False, max_length=200)
    outcome = forms.ChoiceField(label=_("结果"), required=False, choices=[("", _("全部")), *Outcome.choices])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [("", _("全部")), *action_choices()]
        self.fields["object_type"].choices = [("", _("全部")), *object_type_choices()]

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("结束日期不能早于开始日期"))
        return data

    def filters(self) -> AuditFilters:
        """The search as filters; call after is_valid()."""
        data = self.cleaned_data
        return AuditFilters(
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            actor=(data.get("actor") or "").strip(),
            unit=(data.get("unit") or "").strip(),
            action=data.get("action") or "",
            object_type=data.get("object_type") or "",
            text=(data.get("text") or "").strip(),
            outcome=data.get("outcome") or "",
        )
