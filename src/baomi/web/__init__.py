"""The data room: a FastAPI service (JSON API under ``/api/v1``, server-rendered pages).

Thin by design: routers parse input, call one service function and render; every permission
decision and every audit event is the services layer's. Build it with :func:`create_app`.
"""
