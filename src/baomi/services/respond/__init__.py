"""Response: incidents (register, grade, clocks, playbook, notices, leak attribution), and later
drills and data-subject requests.

- :mod:`~baomi.services.respond.incidents` — the incident register and its deadlines
- :mod:`~baomi.services.respond.playbook` — the emergency plan's steps (``playbook.yaml``)
"""
