"""Recognizers: one per identifier, one file each, registered in :mod:`.registry`."""
