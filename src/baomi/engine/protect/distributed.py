"""``baomi protect --engine dask``: the files of a package protected on Dask workers.

A file is the unit of work (k-anonymity, canaries and the writers work on whole tables and
documents). Where ``baomi protect`` runs (the coordinator) the files are listed and named
and handed to the workers one by one (at most ``ahead`` in flight): a worker that sees the
same file at the same path (same size and modification time, :class:`SeenFile`) reads it
itself, otherwise the coordinator reads the file and sends its bytes; a worker protects one
file exactly as :func:`~baomi.engine.protect.package.protect_file` does in one process and
sends back the protected file and what the run records (values for ``--verify``, digests and
canaries for the trace record, k-anonymity reports, the tokens it issued). The coordinator
writes the files and merges the records in file order, then writes the manifest, the token
vault and runs ``--verify`` as in one process — so with the same key the package's files are
byte for byte those of a one-process run.

What a worker gets, once per package (:class:`ProtectSetup`, scattered): the policy,
registries, the recipient, the package's random fingerprint and marks key, and the protect key
provider (pseudonyms, FPE and tokens are derived from its master secret on the worker). Unlike
the scan, protect's workers therefore hold the protect key while they run: run them on
machines trusted with it, over ``tls://`` (docs/scale.md "## Dask"). Workers need no access to
the data (without it the files come with the task) and write nothing but temporary files;
policies that name hierarchy files need those files at the same path on every worker.
"""

from __future__ import annotations

import secrets
import tempfile
import threading
from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from baomi.engine.analyzer import TextAnalyzer
from baomi.engine.protect.keys import KeyProvider
from baomi.engine.protect.operators.base import OperatorContext
from baomi.engine.protect.package import UNREADABLE, protect_file, unreadable_entry
from baomi.engine.protect.policy import Policy
from baomi.engine.protect.registry import OperatorRegistry
from baomi.engine.protect.state import ProtectRun
from baomi.engine.protect.tokens import TokenVault
from baomi.engine.recognizers.registry import Registry
from baomi.errors import UnreadableFileError

if TYPE_CHECKING:
    from distributed import Client, Future

#: Files in flight per worker thread.
AHEAD_PER_THREAD = 2


@dataclass(frozen=True)
class ProtectSetup:
    """What every worker needs for one package (sent once, by ``scatter``)."""

    package: str  # a worker thread rebuilds its analyzer when it changes
    policy: Policy
    registry: Registry
    operators: OperatorRegistry
    keys: KeyProvider | None
    recipient: str | None
    base_dir: str
    token_key: bytes | None  # None: the policy issues no tokens
    fingerprint: int
    prefilter: str | None
    collect_originals: bool
    marks_key: bytes


#: What a run records while it protects a file (:class:`ProtectRun`'s fields), merged into the
#: coordinator's run in file order: sets united, lists extended, dicts of sets united per key.
RECORDS = (
    "originals",
    "model_only",
    "produced",
    "written",
    "digests",
    "canaries",
    "operators_used",
    "kanon",
)


@dataclass
class ProtectedFile:
    """A worker's answer for one file: its entry, bytes, the run's records and the tokens
    it issued."""

    entry: dict[str, Any]
    output: bytes
    records: dict[str, Any] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class SeenFile:
    """A file as the coordinator sees it: a worker that sees the same path with the same size
    and modification time reads it itself instead of being sent its bytes."""

    path: str
    size: int
    mtime_ns: int

    @classmethod
    def of(cls, path: Path) -> SeenFile:
        stat = path.stat()
        return cls(str(path.absolute()), stat.st_size, stat.st_mtime_ns)

    def read(self) -> bytes | None:
        """The file's bytes if this machine sees the same file, else ``None``."""
        path = Path(self.path)
        try:
            stat = path.stat()
            if (stat.st_size, stat.st_mtime_ns) != (self.size, self.mtime_ns):
                return None
            data = path.read_bytes()
        except OSError:
            return None
        return data if len(data) == self.size else None


_LOCAL = threading.local()


def _analyzer(setup: ProtectSetup) -> TextAnalyzer:
    held: tuple[str, TextAnalyzer] | None = getattr(_LOCAL, "held", None)
    if held is None or held[0] != setup.package:
        held = (setup.package, TextAnalyzer(setup.registry))
        _LOCAL.held = held
    return held[1]


def protect_on_worker(
    setup: ProtectSetup, name: str, data: bytes | SeenFile, rel: str
) -> ProtectedFile | None:
    """The task a worker runs: one file (``name``: its file name, ``data``: its bytes, or where
    to read them; ``None``: this worker does not see that file, send its bytes)."""
    if isinstance(data, SeenFile):
        own = data.read()
        if own is None:
            return None
        data = own
    with tempfile.TemporaryDirectory(prefix="baomi-protect-") as tmp:
        vault = None
        if setup.token_key is not None:  # a vault never saved: the coordinator keeps it
            vault = TokenVault(Path(tmp) / "none.vault", b"", setup.token_key)
        ctx = OperatorContext(
            keys=setup.keys, recipient=setup.recipient, vault=vault, base_dir=setup.base_dir
        )
        run = ProtectRun(
            setup.policy,
            setup.registry,
            setup.operators,
            ctx,
            _analyzer(setup),
            setup.fingerprint,
            setup.prefilter,
            collect_originals=setup.collect_originals,
            marks_key=setup.marks_key,
        )
        src = Path(tmp) / "in" / name
        src.parent.mkdir()
        src.write_bytes(data)
        target = Path(tmp) / "out" / name
        try:
            entry = protect_file(run, src, rel, target)
        except UnreadableFileError as exc:  # left out, said why, as in one process
            return ProtectedFile(unreadable_entry(exc), b"", {}, {})
        return ProtectedFile(
            entry,
            target.read_bytes(),
            {name: getattr(run, name) for name in RECORDS},
            vault.added() if vault is not None else {},
        )


def _merge(run: ProtectRun, done: ProtectedFile, target: Path) -> dict[str, Any]:
    """Write a worker's file and add its records to ``run``, as one process would have."""
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(done.output)
    for name in RECORDS:
        mine, theirs = getattr(run, name), done.records[name]
        if isinstance(mine, dict):
            for key, values in theirs.items():
                mine.setdefault(key, set()).update(values)
        elif isinstance(mine, set):
            mine |= theirs
        else:
            mine.extend(theirs)
    if run.ctx.vault is not None:
        run.ctx.vault.merge(done.tokens)
    return done.entry


class DaskProtectEngine:
    """A :class:`~baomi.engine.protect.options.ProtectEngine` on a Dask client's workers."""

    def __init__(
        self, client: Client, *, ahead: int | None = None, read_on_workers: bool = True
    ) -> None:
        self.client = client
        threads = sum(client.nthreads().values()) or 1  # type: ignore[no-untyped-call]
        self.ahead = ahead or AHEAD_PER_THREAD * threads
        #: workers that see a file at the same path read it (else its bytes are sent)
        self.read_on_workers = read_on_workers

    def _setup(self, run: ProtectRun) -> Future[ProtectSetup]:
        ctx = run.ctx
        token_key = None
        if ctx.vault is not None and ctx.keys is not None:
            token_key = ctx.keys.key("token", "tokens", ctx.recipient)  # as package.py does
        setup = ProtectSetup(
            secrets.token_hex(8),
            run.policy,
            run.registry,
            run.operators,
            ctx.keys,
            ctx.recipient,
            ctx.base_dir,
            token_key,
            run.fingerprint,
            run.prefilter,
            run.collect_originals,
            run.marks_key,
        )
        future: Future[ProtectSetup] = self.client.scatter(  # type: ignore[no-untyped-call]
            setup, broadcast=True, hash=False
        )
        return future

    def protect_files(
        self, run: ProtectRun, files: Sequence[tuple[Path, str, Path]]
    ) -> Iterator[dict[str, Any]]:
        setup = self._setup(run)
        pending: deque[tuple[Path, str, Path, Future[ProtectedFile | None]]] = deque()
        for src, rel, target in files:
            data = SeenFile.of(src) if self.read_on_workers else src.read_bytes()
            task = self.client.submit(protect_on_worker, setup, src.name, data, rel, pure=False)
            pending.append((src, rel, target, task))
            while len(pending) > self.ahead:
                yield self._merged(run, setup, *pending.popleft())
        while pending:
            yield self._merged(run, setup, *pending.popleft())

    def _merged(
        self,
        run: ProtectRun,
        setup: Future[ProtectSetup],
        src: Path,
        rel: str,
        target: Path,
        task: Future[ProtectedFile | None],
    ) -> dict[str, Any]:
        done = task.result()
        if done is None:  # that worker does not see the file: send its bytes
            again: Future[ProtectedFile | None] = self.client.submit(
                protect_on_worker, setup, src.name, src.read_bytes(), rel, pure=False
            )
            done = again.result()
            assert done is not None
        if UNREADABLE in done.entry:
            return done.entry
        return _merge(run, done, target)
