"""Govern: the management side of protection — training, internal audits, surveys, policy
reviews, responsibilities (RACI), notifications, the calendar of what is due and the company's
dashboard. Company-level: nothing here belongs to one deal's room; the acting user is their
platform role (``rooms.seat_outside``) and the permission table decides (``GOVERN_*`` actions)."""
