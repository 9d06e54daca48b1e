"""Issue 12: the data room under load — Locust buyers signing in, viewing the room, listing its
documents and downloading protected copies, against ``uvicorn`` on 127.0.0.1 over the embedded
SQLite store of a fresh home. Writes ``## Data room under load (issue 12)`` in RESULTS.md.

    python dataroom_bench.py --users 50,200 --modes full,light --run-time 60

The home (``out/dataroom/home``) is made anew: :func:`ensure_demo_room` (the demo deal, its
documents, the demo accounts) plus one buyer account per simulated user, seated on the buyer's
side with the NDA accepted. Each run starts its own server (one uvicorn process, one worker, a
free port), runs Locust headless for ``--run-time`` (each user also stops after
``--iterations`` iterations), stops the server, and reads Locust's CSV statistics.
"""

from __future__ import annotations

import argparse
import csv
import datetime as _dt
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from baomi.services import accounts, keys
from baomi.services.dataroom import nda as ndas
from baomi.services.dataroom import rooms
from baomi.services.dataroom.demo import SYSTEM, ensure_demo_room
from baomi.services.dataroom.rooms import Side
from baomi.services.permissions import Role
from baomi.services.vault import Vault, open_vault
from baomi.settings import Settings
from results_section import write_section

HERE = Path(__file__).resolve().parent
SECTION = "Data room under load (issue 12)"
TARGET_P95_MS = 200
SPAWN_RATE = {50: 10, 200: 20}


def _bench_buyer(vault: Vault, deal: str, name: str, password: str) -> None:
    user, link = accounts.create_user(
        vault, actor=SYSTEM, username=name, display_name=name, role=Role.BUYER.value
    )
    accounts.complete_setup(vault, token=link, password=password)
    rooms.add_member(
        vault, actor=SYSTEM, deal_ref=deal, username=name, side=Side.BUYER, role=Role.BUYER
    )
    seat = rooms.seat(vault, user, deal)
    current = ndas.current_nda(vault, seat, deal)
    assert current is not None
    ndas.accept_nda(vault, seat, deal, text_sha256=current[2], name=name)


def prepare(out: Path, buyers: int) -> tuple[Settings, str, Path]:
    """A fresh home with the demo room and ``buyers`` buyer accounts; their list as JSON."""
    shutil.rmtree(out, ignore_errors=True)
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        home=out / "home",
        master_key_file=out / "secrets" / "master.key",
    )
    keys.generate_key_file(settings.master_key_file)
    keys.init(settings, actor=SYSTEM)
    with open_vault(settings) as vault:
        demo = ensure_demo_room(vault)
        people = [(f"bench-buyer-{i:03d}", f"bench-pass-{i:03d}-Zq7!") for i in range(buyers)]
        with ThreadPoolExecutor(2) as pool:  # argon2 releases the GIL
            list(pool.map(lambda p: _bench_buyer(vault, demo.deal, *p), people))
    users_file = out / "users.json"
    users_file.write_text(json.dumps(people), encoding="utf-8")
    return settings, demo.deal, users_file


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_ready(url: str, timeout: float = 60.0) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            with urllib.request.urlopen(url + "/api/v1/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"the server at {url} did not answer within {timeout:.0f} s")


def run(
    settings: Settings, deal: str, users_file: Path, users: int, mode: str, args: argparse.Namespace
) -> dict[str, dict[str, str]]:
    """One Locust run against a server of its own; Locust's statistics rows by request name."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "BAOMI_HOME": str(settings.home),
        "BAOMI_MASTER_KEY_FILE": str(settings.master_key_file),
        "PYTHONPATH": os.pathsep.join(filter(None, [str(HERE), os.environ.get("PYTHONPATH")])),
    }
    bin_dir = Path(sys.executable).parent
    server = subprocess.Popen(
        [
            str(bin_dir / "uvicorn"),
            "--factory",
            "dataroom_server:app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        cwd=HERE,
        env=env,
        stdout=(args.out / f"server-{mode}-{users}.log").open("w"),
        stderr=subprocess.STDOUT,
    )
    prefix = args.out / f"{mode}-{users}"
    try:
        _wait_ready(url)
        locust_env = {
            **env,
            "BENCH_USERS_FILE": str(users_file),
            "BENCH_DEAL": deal,
            "BENCH_MODE": mode,
            "BENCH_ITERATIONS": str(args.iterations),
        }
        cmd = [
            str(args.locust),
            "-f",
            "dataroom_locust.py",
            "--headless",
            "-u",
            str(users),
            "-r",
            str(SPAWN_RATE.get(users, 10)),
            "-t",
            f"{args.run_time}s",
            "--host",
            url,
            "--csv",
            str(prefix),
            "--only-summary",
            "--stop-timeout",
            "10",
            "--loglevel",
            "WARNING",
        ]
        print(f"[dataroom] {mode}, {users} users: {' '.join(cmd[1:])}", flush=True)
        subprocess.run(
            cmd,
            cwd=HERE,
            env=locust_env,
            timeout=args.run_time + 90,
            check=False,
            stdout=(args.out / f"{mode}-{users}.log").open("w"),
            stderr=subprocess.STDOUT,
        )
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
    with open(f"{prefix}_stats.csv", encoding="utf-8") as fh:
        return {row["Name"]: row for row in csv.DictReader(fh)}


def _ms(row: dict[str, str], col: str) -> str:
    value = row.get(col, "")
    return "–" if value in ("", "N/A") else f"{float(value):,.0f}"


def table(stats: dict[str, dict[str, str]]) -> list[str]:
    lines = [
        "| request | count | failures | req/s | p50 ms | p95 ms | p99 ms | max ms |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, row in stats.items():
        label = "**all requests**" if name == "Aggregated" else f"`{name}`"
        lines.append(
            f"| {label} | {row['Request Count']} | {row['Failure Count']} | "
            f"{float(row['Requests/s']):.1f} | {_ms(row, '50%')} | {_ms(row, '95%')} | "
            f"{_ms(row, '99%')} | {_ms(row, 'Max Response Time')} |"
        )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", default="50,200")
    parser.add_argument("--modes", default="preview,full,light")
    parser.add_argument("--run-time", type=int, default=60)
    parser.add_argument("--iterations", type=int, default=30)
    parser.add_argument("--out", type=Path, default=HERE / "out" / "dataroom")
    parser.add_argument("--results", type=Path, default=HERE / "RESULTS.md")
    parser.add_argument("--locust", type=Path, default=Path(sys.executable).parent / "locust")
    parser.add_argument("--command", default="make -C bench dataroom")
    parser.add_argument("--dry", action="store_true", help="leave RESULTS.md alone")
    args = parser.parse_args()
    counts = [int(u) for u in args.users.split(",")]
    modes = args.modes.split(",")
    started = time.monotonic()
    settings, deal, users_file = prepare(args.out, max(counts))
    print(f"[dataroom] home ready in {time.monotonic() - started:.0f} s", flush=True)
    body = [
        f"Run {_dt.date.today().isoformat()} with `{args.command}` "
        f"(`bench/dataroom_bench.py --users {args.users} --modes {args.modes} "
        f"--run-time {args.run_time} --iterations {args.iterations}`), on the shared 2-core "
        "machine: one uvicorn process (one worker) and Locust on the same cores, loopback only, "
        "embedded SQLite. Each simulated user is its own buyer account: `GET /login` (CSRF "
        "cookie), `POST /api/v1/auth/login`, then per iteration (0.5–1.5 s think time) the room, "
        "its document list and — in `preview` mode — a protected preview (page 1) of a document, in `full` mode one download, a protected copy made for that "
        "buyer (`light`: one download per user, the first iteration). Each user stops after "
        f"{args.iterations} iterations or when the run time ends. The per-address login "
        "throttle is lifted for the run (every user comes from 127.0.0.1).",
        "",
        f"Target (issue 12): p95 < {TARGET_P95_MS} ms and no errors.",
    ]
    verdicts = []
    for mode in modes:
        for users in counts:
            stats = run(settings, deal, users_file, users, mode, args)
            agg = stats["Aggregated"]
            p95 = float(agg["95%"]) if agg["95%"] not in ("", "N/A") else float("inf")
            met = p95 < TARGET_P95_MS and int(agg["Failure Count"]) == 0
            verdicts.append(
                f"{mode}/{users}: {'met' if met else 'not met'} (p95 {p95:,.0f} ms, "
                f"{agg['Failure Count']} errors)"
            )
            body += ["", f"### `{mode}`, {users} users, {args.run_time} s", "", *table(stats)]
            print(f"[dataroom] {verdicts[-1]}", flush=True)
    body += ["", "Verdict: " + "; ".join(verdicts) + "."]
    (args.out / "section.md").write_text("\n".join(body) + "\n", encoding="utf-8")
    if not args.dry:
        write_section(args.results, SECTION, "\n".join(body))


if __name__ == "__main__":
    main()
