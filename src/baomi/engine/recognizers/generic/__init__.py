"""Recognizers for identifiers that are not specific to China (e-mail, IP address, dates)."""
