"""The store: the whole schema, engine and sessions, and everything that reads or writes
the register without knowing any framework or feature.

- ``models`` (the register: frameworks, nodes, links, documents, activities, review
  events) and ``platform_models`` (accounts, sessions, tokens, submissions, prizes): one
  metadata, migrated by Alembic (``migrations``).
- ``db``: ``Store``, one database (SQLite by default, WAL, foreign keys on; any
  ``postgresql+psycopg://`` URL too); every operation runs in one transaction
  (``Store.transaction``; ``write=True`` for units of work that write).
- ``tx``: a unit of work retried on transient write conflicts.
- ``audit``: who changed what, when, before and after.
- ``backup``: whole-database export and import.
- ``filters``, ``activity_queries``, ``views``, ``queries``: the one read layer (which
  activities a query means, result sets and facets, JSON-ready shapes).
- ``review``: the review queue and its writes.
"""

from sdgmap.store.db import Store, resolve_url

__all__ = ["Store", "resolve_url"]
