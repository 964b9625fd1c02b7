"""The form definition is built once per revision of the form and served from memory after that; a change of
the form (through the services, or a row saved in the admin) is seen at once, and a change rolled back never."""

import pytest
from django.db import transaction

from chengxin.statform.formtext import spec_to_toml
from chengxin.statform.models import Figure, Rule
from chengxin.statform.selectors import form_definition
from chengxin.statform.services import form_as_spec, form_edit

pytestmark = pytest.mark.django_db


def test_a_definition_already_built_costs_one_query(campaign, django_assert_num_queries):
    first = form_definition(campaign)
    with django_assert_num_queries(1):
        again = form_definition(campaign)
    assert again is first
    assert again.by_code["tv_news"].label == first.by_code["tv_news"].label


def test_the_administrator_s_edit_of_the_form_is_served_at_once(campaign, dave):
    assert form_definition(campaign).by_code["live_viewers"].label == "观看人次"
    text = spec_to_toml(form_as_spec(campaign.stat_form)).replace('label = "观看人次"', 'label = "观看量"')
    form_edit(campaign=campaign, text=text, acting_user=dave)
    assert form_definition(campaign).by_code["live_viewers"].label == "观看量"


def test_a_figure_or_rule_changed_outside_the_services_is_served_at_once(campaign):
    """The admin saves rows, figures and rules one by one: each save gives the form a new revision."""
    form_definition(campaign)
    figure = Figure.objects.get(form__campaign=campaign, code="tv_news")
    figure.label = "电视新闻条数"
    figure.save()
    assert form_definition(campaign).by_code["tv_news"].label == "电视新闻条数"
    Rule.objects.filter(form__campaign=campaign).first().delete()
    assert len(form_definition(campaign).rules) == Rule.objects.filter(form__campaign=campaign).count()


def test_an_edit_rolled_back_is_never_served(campaign):
    """Even when the definition was built (and kept) inside the transaction that is then rolled back."""
    with pytest.raises(RuntimeError), transaction.atomic():
        figure = Figure.objects.get(form__campaign=campaign, code="tv_news")
        figure.label = "临时名称"
        figure.save()
        assert form_definition(campaign).by_code["tv_news"].label == "临时名称"
        raise RuntimeError("the edit fails")
    assert form_definition(campaign).by_code["tv_news"].label != "临时名称"
    # and the next edit, whatever its content, is served as it is
    figure = Figure.objects.get(form__campaign=campaign, code="tv_news")
    figure.label = "另一个名称"
    figure.save()
    assert form_definition(campaign).by_code["tv_news"].label == "另一个名称"
