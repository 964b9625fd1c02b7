"""Reads of the form definition."""

from chengxin.campaigns.models import Campaign
from chengxin.statform.definition import FormDefinition, build_definition
from chengxin.statform.models import StatForm


def form_definition(campaign: Campaign) -> FormDefinition:
    """The campaign's form, rows, figures and rules (three queries)."""
    return build_definition(StatForm.objects.get(campaign=campaign))
