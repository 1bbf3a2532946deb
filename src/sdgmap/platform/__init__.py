"""The multi-user platform's features: accounts and roles, sessions and API tokens,
stocktaking submissions, prize cycles with a concurrency-safe vote, and rate limits.

Infrastructure the core needs too (the schema, the audit trail, the unit of work, backups)
lives in ``sdgmap.store``. No web imports here: ``sdgmap.web.platform`` and
``sdgmap.cli.users`` are thin layers over these modules.
"""
