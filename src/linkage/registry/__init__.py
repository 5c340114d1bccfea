"""The registry that lasts for years: one store, exactly-once intake, incremental linkage,
answers kept, withdrawal and retention, statistics as of any date, a hash-chained audit log.

::

    reg = init_registry("registry.sqlite", default_schema())     # or "postgresql://..."
    reg.add_reporter("police", "trusted/police.pub", "police")
    ingest(reg, ["police-2024-01.lnk"])                          # verified, once, all or nothing

Registry side: takes no linkage key and never imports the module that holds it.
"""

from linkage.registry._db import describe_target, is_postgres_target
from linkage.registry._ingest import IngestResult, SubmissionOutcome, check_records, ingest
from linkage.registry._lifecycle import add_answers, purge, resend_guide, start_epoch, withdraw
from linkage.registry._link import LinkResult, link, person_events, persons_table
from linkage.registry._stats import RegistryStats, compute_stats, suppress, write_file_set, write_stats
from linkage.registry._store import (
    REPORTER_TYPES,
    AuditEntry,
    Registry,
    RegistryError,
    RegistrySettings,
    init_registry,
    open_registry,
    utc_now,
    verify_audit,
)

__all__ = [
    "REPORTER_TYPES",
    "AuditEntry",
    "IngestResult",
    "LinkResult",
    "add_answers",
    "link",
    "person_events",
    "persons_table",
    "purge",
    "resend_guide",
    "start_epoch",
    "withdraw",
    "Registry",
    "RegistryStats",
    "compute_stats",
    "suppress",
    "write_file_set",
    "write_stats",
    "RegistryError",
    "RegistrySettings",
    "SubmissionOutcome",
    "check_records",
    "describe_target",
    "ingest",
    "init_registry",
    "is_postgres_target",
    "open_registry",
    "utc_now",
    "verify_audit",
]
