"""The data room's use cases: rooms and their stages, members, NDAs, grants, uploads."""
