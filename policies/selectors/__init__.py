"""Reads for the underwriter workspace's pages and lists (writes are in ``policies.services``).

Each selector runs a fixed number of queries whatever the number of rows.
"""
