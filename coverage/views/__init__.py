"""The contractor side's HTML: one module per area.

apply: the contractor's hosted application page (no login; the link's token is the key).
certificates: certificate verification and PDFs (public by number; the portal's download).
board: the dispatcher's ticket board (one day's dispatches, filtered, refreshing itself).
tickets: a new ticket with its live preview, one ticket, and the actions on it.
premium: premium for a period from the ledger, its chart and CSV.
contractors: techs, and one tech's policies, history and repeat coverage.
"""
