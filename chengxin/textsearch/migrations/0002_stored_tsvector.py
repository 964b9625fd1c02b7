"""PostgreSQL: the chunks' tsvector stored (a generated column) and indexed, instead of an index on the
expression. A phrase query (terms at consecutive positions) is answered by the GIN index only up to the
candidates, which PostgreSQL then rechecks against the tsvector: with an expression index it parsed every
candidate's terms again (18 s for a common phrase over 3,400 reports, bench/search_bench.py), with the stored one
it reads it (0.2 s). SQLite's FTS5 table needs nothing of the kind. The column is invisible to the model:
PostgreSQL computes it on every insert and update of `terms`."""

from django.db import migrations

FORWARD = [
    "ALTER TABLE textsearch_textchunk ADD COLUMN tsv tsvector "
    "GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, terms)) STORED",
    "CREATE INDEX textsearch_chunk_tsv ON textsearch_textchunk USING gin (tsv)",
    "DROP INDEX IF EXISTS textsearch_chunk_terms",
]
BACKWARD = [
    "CREATE INDEX textsearch_chunk_terms ON textsearch_textchunk USING gin (to_tsvector('simple'::regconfig, terms))",
    "DROP INDEX IF EXISTS textsearch_chunk_tsv",
    "ALTER TABLE textsearch_textchunk DROP COLUMN tsv",
]


def _on_postgresql(statements: list[str]):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for sql in statements:
                schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("textsearch", "0001_initial")]

    operations = [migrations.RunPython(_on_postgresql(FORWARD), _on_postgresql(BACKWARD))]
