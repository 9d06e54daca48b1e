"""Databases as scan and protect inputs (``baomi scan URL``, ``baomi protect URL --to …``).

Above the engine: these modules use SQLAlchemy (which the engine, a pure library, never
imports) to read tables into the engine's partitions and documents. ``source`` opens databases
and reads tables, ``scan`` scans them, ``protect`` makes de-identified copies (docs/scale.md
"Databases").
"""
