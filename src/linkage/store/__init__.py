"""Store: the registry's persistent state (embedded SQLite by default)."""

from linkage.records import RegistryRecords, records_from_submissions
from linkage.store._sqlite import SQLiteStore

__all__ = ["RegistryRecords", "SQLiteStore", "records_from_submissions"]
