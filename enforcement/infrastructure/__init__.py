"""Plumbing every feature uses: the database, keys and encryption, tokens, paging and
filtering, masking, times and ids, the audit chain, backups, health and gauges."""
