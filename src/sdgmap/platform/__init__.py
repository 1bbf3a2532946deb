"""The multi-user platform core: accounts and roles, sessions and API tokens, the audit
trail, stocktaking submissions, prize cycles with a concurrency-safe vote, and backups.

No web imports here: ``sdgmap.web.platform_routes`` and ``sdgmap.cli.users`` /
``sdgmap.cli.backup`` are thin layers over these modules.
"""
