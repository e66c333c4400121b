"""Reads of the contractor side for pages, reports and lists; nothing here writes.

board: the dispatcher's board (one day's tickets, filtered, sorted, paged, summed).
tickets: one ticket's view model (status, line chips, coverage rows, certificates).
crews: several techs on one job at one start, grouped (derived, not stored).
contractors: the tech pages' reads (their tickets, repeat coverage asked ahead).
premium: premium for a period from the append-only ledger.
"""
