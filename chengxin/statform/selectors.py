"""Reads of the form definition."""

import threading
from collections import OrderedDict

from django.db import connection

from chengxin.campaigns.models import Campaign
from chengxin.statform.definition import FormDefinition, build_definition
from chengxin.statform.models import StatForm

# Built definitions of this process, by (form pk, revision); a revision is never reused (StatForm.revision), so an
# entry is never stale: a changed form has a new key, and its old entries simply fall out. Per process rather than
# in Django's cache: the definition is used several times per request, and unpickling it from Redis would cost
# about as much as the three queries it saves.
_CACHE: OrderedDict[tuple, FormDefinition] = OrderedDict()
_CACHE_SIZE = 32
_LOCK = threading.Lock()
# Plain SQL (table and columns from the model): it runs several times per request, and building the query with
# the ORM costs ten times what the query itself does.
_REVISION_SQL = "SELECT {pk}, {revision} FROM {table} WHERE {campaign} = %s".format(  # noqa: S608
    pk=StatForm._meta.pk.column,
    revision=StatForm._meta.get_field("revision").column,
    table=StatForm._meta.db_table,
    campaign=StatForm._meta.get_field("campaign").column,
)


def _revision(campaign_id: int) -> tuple | None:
    """(pk, revision) of the campaign's form, or None."""
    with connection.cursor() as cursor:
        cursor.execute(_REVISION_SQL, [campaign_id])
        return cursor.fetchone()


def form_definition(campaign: Campaign) -> FormDefinition:
    """The campaign's form, rows, figures and rules: one query when this process has already built this revision
    of the form, else five. The definition returned is shared: read it, never change it."""
    key = _revision(campaign.pk)
    if key is None:
        raise StatForm.DoesNotExist(f"campaign {campaign.pk} has no form")
    with _LOCK:
        definition = _CACHE.get(key)
        if definition is not None:
            _CACHE.move_to_end(key)
            return definition
    definition = build_definition(StatForm.objects.get(pk=key[0]))
    # Kept only if no change of the form was committed while it was being read (outside a transaction, each query
    # sees the latest commit): what was read is then exactly this revision.
    if _revision(campaign.pk) == key:
        with _LOCK:
            _CACHE[key] = definition
            while len(_CACHE) > _CACHE_SIZE:
                _CACHE.popitem(last=False)
    return definition
