"""Store: the registry's persistent state (embedded SQLite by default)."""

from linkage.store._sqlite import RegistryRecords, SQLiteStore, records_from_submissions

__all__ = ["RegistryRecords", "SQLiteStore", "records_from_submissions"]
