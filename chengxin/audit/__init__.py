"""The append-only audit log (Cybersecurity Law art. 21, MLPS 2.0 level 3 security audit).

Every write (chengxin.audit.signals) and every sign-in is one AuditEvent (models) in a hash chain (chain),
written in the writer's transaction (services.audit_record); database triggers (triggers) refuse changes; the
auditor searches and exports it (views); `chengxin audit-check` verifies the chain, `chengxin audit-purge` removes
rows past the retention. Why not django-auditlog: see chengxin.audit.services.
"""
