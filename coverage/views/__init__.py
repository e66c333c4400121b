"""The contractor side's HTML: one module per area.

apply: the contractor's hosted application page (no login; the link's token is the key).
certificates: certificate verification and PDFs (public by number; the portal's download).
"""
