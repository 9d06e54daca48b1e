"""Protect operators: small, stateless, one file each, looked up by name in ``registry.py``."""
