"""An index for the public search's "name contains" (issue 12: it was a full scan, 0.4 s at 2 million rows on
PostgreSQL): a trigram index on name_key. PostgreSQL: pg_trgm's GIN index (the extension is trusted since
PostgreSQL 13, so the database's owner may create it). SQLite: an FTS5 table with the trigram tokenizer (SQLite 3.34
and later), kept in step with the commitments table by triggers. Texts shorter than three characters have no
trigram: chengxin.commitments.selectors bounds those searches instead."""

from django.db import migrations

PG_FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS commitment_name_key_trgm ON commitments_commitment USING gin (name_key gin_trgm_ops)",
]
PG_BACKWARD = ["DROP INDEX IF EXISTS commitment_name_key_trgm"]
SQLITE_FORWARD = [
    "CREATE VIRTUAL TABLE commitments_name_fts USING fts5("
    "name_key, content='commitments_commitment', content_rowid='id', tokenize='trigram')",
    "CREATE TRIGGER commitments_name_fts_insert AFTER INSERT ON commitments_commitment BEGIN "
    "INSERT INTO commitments_name_fts(rowid, name_key) VALUES (new.id, new.name_key); END",
    "CREATE TRIGGER commitments_name_fts_delete AFTER DELETE ON commitments_commitment BEGIN "
    "INSERT INTO commitments_name_fts(commitments_name_fts, rowid, name_key) VALUES ('delete', old.id, old.name_key);"
    " END",
    "CREATE TRIGGER commitments_name_fts_update AFTER UPDATE OF name_key ON commitments_commitment BEGIN "
    "INSERT INTO commitments_name_fts(commitments_name_fts, rowid, name_key) VALUES ('delete', old.id, old.name_key);"
    " INSERT INTO commitments_name_fts(rowid, name_key) VALUES (new.id, new.name_key); END",
    "INSERT INTO commitments_name_fts(commitments_name_fts) VALUES ('rebuild')",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS commitments_name_fts_insert",
    "DROP TRIGGER IF EXISTS commitments_name_fts_delete",
    "DROP TRIGGER IF EXISTS commitments_name_fts_update",
    "DROP TABLE IF EXISTS commitments_name_fts",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        with schema_editor.connection.cursor() as cursor:
            for sql in statements_by_vendor.get(schema_editor.connection.vendor, []):
                cursor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("commitments", "0002_one_public_commitment_per_code")]

    operations = [
        migrations.RunPython(
            _run({"postgresql": PG_FORWARD, "sqlite": SQLITE_FORWARD}),
            _run({"postgresql": PG_BACKWARD, "sqlite": SQLITE_BACKWARD}),
        )
    ]
