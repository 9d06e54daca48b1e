"""Compliance: the transfer's legal assessment computed from the system's own records.

- :mod:`~baomi.services.comply.profile` — the company's facts and each deal's transfer profile
- :mod:`~baomi.services.comply.data` — what PI a deal holds (from its scan inventories)
- :mod:`~baomi.services.comply.rulebook` — the legal rules as data (``rules/*.yaml``)
- :mod:`~baomi.services.comply.notices` — customer notices, the mail-merge export, sending status
- :mod:`~baomi.services.comply.reports` — report view models and their HTML/PDF/XLSX renderers
"""
