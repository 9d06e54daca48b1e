"""The engine: a pure library (detect, classify, scan, protect, crypto, audit chain).

It imports no web framework, ORM or CLI library (``tests/test_layers.py`` proves it).
"""
