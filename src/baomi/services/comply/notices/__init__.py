"""Customer notices for a transfer (PIPL-22; GB/T 35273 §9.3) and separate-consent requests
(PIPL-23, PIPL-39):

- :mod:`~baomi.services.comply.notices.texts` — which notice a transfer calls for; its letter,
  SMS and e-mail texts (templates as data, ``templates/*.yaml``)
- :mod:`~baomi.services.comply.notices.contacts` — the customer contact list read from a deal's
  table document (the scan's column classification)
- :mod:`~baomi.services.comply.notices.export` — the mail-merge export (CSV/XLSX) and the notice
  records it leaves (keyed hashes, never a raw contact)
- :mod:`~baomi.services.comply.notices.status` — sending status imported back; the campaign view
"""
