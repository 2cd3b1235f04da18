"""Publishing the public file (``python -m geo publish``): floored aggregates at fixed grains, docs/privacy.md.

Reads the officials' database and writes a separate one; may import the core only (``geo.db``, ``geo.sql``,
``geo.settings``, ``geo.vocab``, ``geo.errors``). Nothing imports it but the CLI (and the tests).
"""
