"""Use cases. Every function takes the acting user (:class:`~baomi.services.permissions.Actor`),
asks the one permission table first (``permissions.authorize``), does its work and writes its
audit event in the same transaction (or, for use cases that may run without a vault, through an
``audit_sink.AuditSink``)."""
