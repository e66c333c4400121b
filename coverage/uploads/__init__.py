"""Bring-your-own certificates: a tech's own certificate of insurance, reviewed.

- ``intake``: the upload (PDF checks, the 15 MB cap while streaming, storage);
- ``parsing``: reading the PDF (ACORD 25 form fields, text layer), no Django;
- ``sandbox``: parsing in a limited child process;
- ``requirements``: what the certificate is judged against (entity or platform default);
- ``judging``: the findings, each in words a dispatcher can act on;
- ``review``: the background task that parses, judges, records and announces;
- ``serializers``: the certificate as /api/v1/files/certificates shows it.

Nothing is imported here, so that ``parsing.py`` runs alone in its child process.
"""
