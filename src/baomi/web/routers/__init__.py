"""One router module per resource; :func:`baomi.web.app.create_app` mounts them all."""
