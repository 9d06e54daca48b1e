"""Compliance: the transfer's legal assessment computed from the system's own records.

- :mod:`~baomi.services.comply.profile` — the company's facts and each deal's transfer profile
- :mod:`~baomi.services.comply.data` — what PI a deal holds (from its scan inventories)
- :mod:`~baomi.services.comply.rulebook` — the legal rules as data (``rules/*.yaml``)
- :mod:`~baomi.services.comply.provisions` — provision records (NDS-12) and the year's count abroad
- :mod:`~baomi.services.comply.people` — the people provided, as keyed identifier hashes
- :mod:`~baomi.services.comply.crossborder` — the cross-border route (CAC Order 16);
  :mod:`~baomi.services.comply.crossborder_report` its report view model and JSON
- :mod:`~baomi.services.comply.notices` — customer notices, the mail-merge export, sending status
- :mod:`~baomi.services.comply.reports` — report view models and their HTML/PDF/XLSX renderers
"""
