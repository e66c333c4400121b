"""The underwriter workspace: server-rendered pages (HTMX for the regions that change).

One module per area: ``lists`` (policies, transactions), ``policies`` (a policy and
the changes and renewals started from it), ``transactions`` (a transaction: actions,
locations, contacts, named insureds, sections), ``coinsurance`` (the coinsurance
page and its agreements), ``coinsurance_parties`` (their parties and the producer
code search), ``towers`` (towers and layers), ``meter`` (the live share meter),
``prior_policies``.
``policies.access`` says who may come in; ``policies.selectors`` load what the
pages show (views call selectors for reads and services for writes);
``responses`` says how a view answers after a write.

Who: underwriters (and superusers). Dispatchers have no business here and get 403;
support gets 403 too and answers questions from the admin, which shows the same
records and the audit history read-only — so this workspace has one kind of user
and every write in it is an underwriter's.
"""
