"""Database triggers that keep the audit tables append-only, whatever writes to the database (the ORM, the admin,
a shell, a raw SQL statement from the application's account):

- audit_auditevent: UPDATE is refused; DELETE is refused for rows younger than RETENTION_FLOOR_DAYS (the legal
  minimum; the purge command keeps CHENGXIN_AUDIT_RETENTION_DAYS, which is never less); TRUNCATE is refused
  (PostgreSQL).
- audit_auditanchor: UPDATE, DELETE and TRUNCATE are refused.
- audit_auditchainhead: DELETE and TRUNCATE are refused; an UPDATE must move the head forward (several rows
  appended in one statement move it by several).

Someone who owns the database can drop a trigger; the hash chain (`chengxin audit-check`) is what shows it.
Installed by migration 0002; `chengxin flush` lifts them for the flush only, outside production.
A change here needs a new migration that calls install() again.
"""

RETENTION_FLOOR_DAYS = 180

_SQLITE_TRIGGERS = {
    "audit_event_no_update": """
        CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_auditevent
        BEGIN SELECT RAISE(ABORT, 'audit_auditevent is append-only: UPDATE refused'); END""",
    "audit_event_keep_young": f"""
        CREATE TRIGGER audit_event_keep_young BEFORE DELETE ON audit_auditevent
        WHEN julianday(OLD.at) IS NULL OR julianday(OLD.at) > julianday('now', '-{RETENTION_FLOOR_DAYS} days')
        BEGIN SELECT RAISE(ABORT, 'audit_auditevent: rows younger than {RETENTION_FLOOR_DAYS} days cannot be deleted');
        END""",
    "audit_anchor_no_update": """
        CREATE TRIGGER audit_anchor_no_update BEFORE UPDATE ON audit_auditanchor
        BEGIN SELECT RAISE(ABORT, 'audit_auditanchor is append-only: UPDATE refused'); END""",
    "audit_anchor_no_delete": """
        CREATE TRIGGER audit_anchor_no_delete BEFORE DELETE ON audit_auditanchor
        BEGIN SELECT RAISE(ABORT, 'audit_auditanchor is append-only: DELETE refused'); END""",
    "audit_head_no_delete": """
        CREATE TRIGGER audit_head_no_delete BEFORE DELETE ON audit_auditchainhead
        BEGIN SELECT RAISE(ABORT, 'audit_auditchainhead cannot be deleted'); END""",
    "audit_head_forward_only": """
        CREATE TRIGGER audit_head_forward_only BEFORE UPDATE ON audit_auditchainhead
        WHEN NEW.id <> OLD.id OR NEW.seq <= OLD.seq
        BEGIN SELECT RAISE(ABORT, 'audit_auditchainhead only moves forward'); END""",
}

_PG_FUNCTIONS = f"""
CREATE OR REPLACE FUNCTION audit_event_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF OLD.at <= now() - interval '{RETENTION_FLOOR_DAYS} days' THEN
            RETURN OLD;
        END IF;
        RAISE EXCEPTION 'audit_auditevent: rows younger than {RETENTION_FLOOR_DAYS} days cannot be deleted'
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'integrity_constraint_violation';
END $$;
CREATE OR REPLACE FUNCTION audit_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'integrity_constraint_violation';
END $$;
CREATE OR REPLACE FUNCTION audit_head_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.id = OLD.id AND NEW.seq > OLD.seq THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit_auditchainhead only moves forward'
        USING ERRCODE = 'integrity_constraint_violation';
END $$;
"""

_PG_TRIGGERS = {
    ("audit_auditevent", "audit_event_guard_rows"): "BEFORE UPDATE OR DELETE ON audit_auditevent "
    "FOR EACH ROW EXECUTE FUNCTION audit_event_guard()",
    ("audit_auditevent", "audit_event_no_truncate"): "BEFORE TRUNCATE ON audit_auditevent "
    "FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse()",
    ("audit_auditanchor", "audit_anchor_guard_rows"): "BEFORE UPDATE OR DELETE ON audit_auditanchor "
    "FOR EACH ROW EXECUTE FUNCTION audit_refuse()",
    ("audit_auditanchor", "audit_anchor_no_truncate"): "BEFORE TRUNCATE ON audit_auditanchor "
    "FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse()",
    ("audit_auditchainhead", "audit_head_no_delete"): "BEFORE DELETE ON audit_auditchainhead "
    "FOR EACH ROW EXECUTE FUNCTION audit_refuse()",
    ("audit_auditchainhead", "audit_head_forward_only"): "BEFORE UPDATE ON audit_auditchainhead "
    "FOR EACH ROW EXECUTE FUNCTION audit_head_guard()",
    ("audit_auditchainhead", "audit_head_no_truncate"): "BEFORE TRUNCATE ON audit_auditchainhead "
    "FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse()",
}


def install(connection) -> None:
    """Create the triggers (and on PostgreSQL their functions) on `connection`'s database."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for sql in _SQLITE_TRIGGERS.values():
                cursor.execute(sql)
        elif connection.vendor == "postgresql":
            cursor.execute(_PG_FUNCTIONS)
            for (_table, name), body in _PG_TRIGGERS.items():
                cursor.execute(f"CREATE TRIGGER {name} {body}")


def uninstall(connection) -> None:
    """Drop the triggers (not the PostgreSQL functions, which hold no data)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for name in _SQLITE_TRIGGERS:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
        elif connection.vendor == "postgresql":
            for table, name in _PG_TRIGGERS:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")


def names() -> list[str]:
    """The triggers' names on the current vendor (for tests that lift one)."""
    return list(_SQLITE_TRIGGERS) + [name for _table, name in _PG_TRIGGERS]
