"""Parsing what a page's form sends with Django forms, into the one error type of the project (DomainError naming
each field), so that a view never reads dates or numbers by hand."""

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from chengxin.core.errors import DomainError, FieldError

ISO_DATE = ["%Y-%m-%d"]


class DateField(forms.DateField):
    """A calendar date as the pages ask for it, 年-月-日 (2020-11-25) only, with messages naming the field."""

    def __init__(self, *, label, required: bool = True, **kwargs):
        super().__init__(
            label=label,
            required=required,
            input_formats=ISO_DATE,
            error_messages={
                "required": format_lazy(_("请填写{label}"), label=label),
                "invalid": format_lazy(_("{label}格式不对，应为 年-月-日，如 2020-11-25"), label=label),
            },
            **kwargs,
        )

    def to_python(self, value):
        # ASCII digits only: strptime reads "２０２０" or "٢٠٢٠" as a year, which nobody means in a date field.
        if isinstance(value, str) and not value.strip().isascii():
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)


class YearField(forms.CharField):
    """A campaign's year: four ASCII digits."""

    def __init__(self, *, label, **kwargs):
        message = _("年度应为四位数字，如 2021")
        super().__init__(label=label, error_messages={"required": message}, **kwargs)
        self.message = message

    def clean(self, value):
        value = super().clean(value).strip()
        if not value and not self.required:
            return None
        if len(value) != 4 or not (value.isascii() and value.isdigit()):
            raise forms.ValidationError(self.message, code="invalid")
        return int(value)


def cleaned(form: forms.Form) -> dict:
    """The form's cleaned data; DomainError naming every field in error (the first message as the headline)."""
    if form.is_valid():
        return form.cleaned_data
    errors = [FieldError(name, str(message)) for name, messages in form.errors.items() for message in messages]
    raise DomainError(errors[0].message, errors=errors)
