"""Compliance: the transfer's legal assessment computed from the system's own records.

- :mod:`~baomi.services.comply.profile` — the company's facts and each deal's transfer profile
- :mod:`~baomi.services.comply.reports` — report view models and their HTML/PDF/XLSX renderers
"""
