"""Premium collection for card payers: the processor interface, its sandbox, charges, refunds.

``charging.gate`` and ``charging.release`` are the two hooks the assignment service
calls; ``cards.save_card`` is what the hosted pages call; ``charging.run_due_charges``
is the scheduled sweep (``manage.py charge_premiums``).
"""
