"""The document layer below the scan and protect: the one walker of input files and their
display names (``files``), and the masking of identifiers in names taken from the data
(``names``). Nothing is imported here, so importing the package does no work.
"""
