"""Readers: turn files into table batches or text units for the scan."""
