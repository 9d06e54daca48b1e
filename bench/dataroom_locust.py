"""Locust users of the data room: a buyer signs in, then views the room, lists its documents and
downloads one (a protected copy made for that buyer at each download).

Configured by ``bench/dataroom_bench.py`` through variables: ``BENCH_USERS_FILE`` (JSON list of
[user name, password], one account per simulated user), ``BENCH_DEAL``, ``BENCH_MODE``
(``preview``: a protected preview of a document in every iteration — the issue's scenario;
``full``: a download in every iteration; ``light``: one download per user, then views and
listings), ``BENCH_ITERATIONS`` (each user stops after that many iterations: the run is bounded
by count as well as by ``--run-time``).
"""

from __future__ import annotations

import itertools
import json
import os
import random
from pathlib import Path
from typing import Any
from urllib.parse import quote

from locust import HttpUser, between, task
from locust.exception import StopUser

ACCOUNTS = itertools.cycle(json.loads(Path(os.environ["BENCH_USERS_FILE"]).read_text()))
DEAL = quote(os.environ["BENCH_DEAL"])
MODE = os.environ.get("BENCH_MODE", "full")
ITERATIONS = int(os.environ.get("BENCH_ITERATIONS", "30"))
DOWNLOADABLE = (".csv", ".xlsx", ".json", ".txt", ".docx")


class Buyer(HttpUser):
    wait_time = between(0.5, 1.5)  # a person reading, not a tight loop

    def on_start(self) -> None:
        self.username, password = next(ACCOUNTS)
        self.done = 0
        self.downloaded = False
        self.client.get("/login", name="GET /login (CSRF cookie)")
        csrf = self.client.cookies.get("baomi_csrf") or ""
        r = self.client.post(
            "/api/v1/auth/login",
            json={"username": self.username, "password": password},
            headers={"X-CSRF-Token": csrf},
            name="POST /api/v1/auth/login",
        )
        token = r.json()["token"] if r.status_code == 200 else ""
        self.client.headers["Authorization"] = f"Bearer {token}"
        self.client.cookies.clear()  # the bearer token only, as an API client

    @task
    def browse(self) -> None:
        if self.done >= ITERATIONS:
            raise StopUser()
        self.done += 1
        base = f"/api/v1/rooms/{DEAL}"
        self.client.get(base, name="GET /rooms/{deal}")
        r = self.client.get(f"{base}/documents", name="GET /rooms/{deal}/documents")
        docs: list[dict[str, Any]] = r.json() if r.status_code == 200 else []
        wanted = [d for d in docs if d["name"].lower().endswith(DOWNLOADABLE)]
        if wanted and MODE == "preview":
            doc = random.choice(wanted)
            self.client.get(
                f"{base}/documents/{doc['id']}/preview",
                name="GET /rooms/{deal}/documents/{id}/preview",
            )
        elif wanted and (MODE == "full" or not self.downloaded):
            doc = random.choice(wanted)
            self.client.get(
                f"{base}/documents/{doc['id']}/download",
                name="GET /rooms/{deal}/documents/{id}/download",
            )
            self.downloaded = True
