"""Measuring helpers shared by the benchmark programs: environment header, latency summaries,
a throw-away PostgreSQL schema, a cache directory and the final JSON line.

Nothing here knows about notices; the programs beside it (``strategic.py``) build scenarios and
call the package exactly as a user would. Output goes to stdout; the last line of a run is one
JSON object (`emit_json`) so that a separate script can collect results.
"""

from __future__ import annotations

import json
import os
import platform
import sqlite3
import ssl
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import httpx
import numpy as np
from sqlalchemy import create_engine, text

T = TypeVar("T")

DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
"""The PostgreSQL server of the test suite (trust auth); ``SHAREDSKY_BENCH_PG`` overrides it."""

CACHE_DIR = Path(os.environ.get("SHAREDSKY_BENCH_CACHE", "/tmp/sharedsky-bench"))
"""Where populated databases are kept between runs (safe to delete at any time)."""


# ── environment ─────────────────────────────────────────────────────────────────────────────


def pg_url() -> str:
    """The PostgreSQL server URL to benchmark against."""
    return os.environ.get("SHAREDSKY_BENCH_PG", DEFAULT_PG_URL)


def postgres_version(url: str) -> str:
    """The server's ``server_version``, or why it could not be read."""
    try:
        engine = create_engine(url)
        try:
            with engine.connect() as connection:
                return str(connection.execute(text("SHOW server_version")).scalar_one())
        finally:
            engine.dispose()
    except Exception as exc:  # the header reports the failure; the run decides what to do
        return f"unavailable ({type(exc).__name__})"


def environment(pg: str | None) -> dict[str, str]:
    """CPU count, load, Python and library versions (PostgreSQL's when ``pg`` is a URL)."""
    import h3
    import shapely
    import sqlalchemy

    load = os.getloadavg() if hasattr(os, "getloadavg") else (float("nan"),) * 3
    return {
        "cpus": str(os.cpu_count()),
        "load_avg_1m": f"{load[0]:.2f}",
        "machine": platform.machine(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "shapely": shapely.__version__,
        "geos": shapely.geos_version_string,
        "h3": h3.__version__,
        "sqlalchemy": sqlalchemy.__version__,
        "sqlite": sqlite3.sqlite_version,
        "postgresql": postgres_version(pg) if pg else "not used",
    }


def print_header(title: str, env: dict[str, str], settings: dict[str, object]) -> None:
    """Print the run's title, environment and settings, one ``key: value`` per line."""
    print(f"# {title}")
    for key, value in env.items():
        print(f"#   {key:<12} {value}")
    for key, value in settings.items():
        print(f"#   {key:<12} {value}")
    sys.stdout.flush()


# ── timing and summaries ────────────────────────────────────────────────────────────────────


def timed(fn: Callable[[], T]) -> tuple[T, float]:
    """``fn()`` and its wall time in seconds (``time.perf_counter``)."""
    start = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - start


@dataclass(frozen=True, slots=True)
class Latency:
    """A summary of latencies, milliseconds."""

    n: int
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    mean_ms: float

    def line(self) -> str:
        """One human-readable line."""
        return (
            f"n={self.n:<5} p50 {self.p50_ms:7.2f} ms   p90 {self.p90_ms:7.2f} ms   "
            f"p99 {self.p99_ms:7.2f} ms   max {self.max_ms:7.2f} ms   mean {self.mean_ms:7.2f} ms"
        )


def summarise(seconds: Sequence[float]) -> Latency:
    """Percentiles (NumPy's default linear interpolation) of latencies given in seconds."""
    ms = np.asarray(seconds, dtype=np.float64) * 1000.0
    p50, p90, p99 = np.percentile(ms, [50.0, 90.0, 99.0])
    return Latency(len(ms), float(p50), float(p90), float(p99), float(ms.max()), float(ms.mean()))


def median_of(runs: Sequence[Latency]) -> Latency:
    """The field-wise median of repeated runs' summaries (their sizes must agree)."""
    return Latency(
        runs[0].n,
        statistics.median(r.p50_ms for r in runs),
        statistics.median(r.p90_ms for r in runs),
        statistics.median(r.p99_ms for r in runs),
        statistics.median(r.max_ms for r in runs),
        statistics.median(r.mean_ms for r in runs),
    )


@dataclass(frozen=True, slots=True)
class CpuTimes:
    """CPU seconds (user + system) a process has used, all its threads and its first one."""

    process_s: float
    main_thread_s: float
    """The thread that started the process: a server's event loop."""


def cpu_times(pid: int) -> CpuTimes | None:
    """The CPU times of process ``pid`` from ``/proc`` (None where there is no ``/proc``, or the
    process has gone). CPU time, unlike latency, hardly depends on what else the machine runs:
    the measure to compare two codes on a busy machine."""

    def used_s(stat: Path) -> float:
        fields = stat.read_text().rpartition(")")[2].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    try:
        return CpuTimes(
            used_s(Path(f"/proc/{pid}/stat")), used_s(Path(f"/proc/{pid}/task/{pid}/stat"))
        )
    except (OSError, ValueError):
        return None


# ── databases ───────────────────────────────────────────────────────────────────────────────


def schema_url(base: str, schema: str) -> str:
    """``base`` with its ``search_path`` set to ``schema`` (as ``tests/conftest.py`` does)."""
    sep = "&" if "?" in base else "?"
    return f"{base}{sep}options=-csearch_path%3D{schema}"


@contextmanager
def pg_schema(base: str) -> Iterator[str]:
    """A fresh schema ``bench_<random>`` on ``base``; yields its URL, drops it on exit."""
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base)
    try:
        with admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        yield schema_url(base, schema)
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


def cache_path(name: str) -> Path:
    """A path for ``name`` in the cache directory (created if missing)."""
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    return CACHE_DIR / name


# ── output ──────────────────────────────────────────────────────────────────────────────────


def emit_json(figures: dict[str, object]) -> None:
    """Print ``figures`` as the run's last line: one JSON object, floats rounded to 3 places."""
    rounded = {k: round(v, 3) if isinstance(v, float) else v for k, v in figures.items()}
    print(json.dumps(rounded, sort_keys=False), flush=True)


def load_tokens(db: str, mechanism_yaml: str) -> dict[str, str]:
    """Load the mechanism into the database at ``db`` (migrating it); the tokens by party."""
    from sharedsky.bootstrap import open_database
    from sharedsky.interop.mechanism_yaml import parse_mechanism
    from sharedsky.service.mechanism import load_mechanism
    from sharedsky.service.ports import SystemClock

    database = open_database(db)
    try:
        mechanism, mechanism_json = parse_mechanism(mechanism_yaml)
        loaded = load_mechanism(database, SystemClock(), mechanism, mechanism_json)
    finally:
        database.close()
    return dict(loaded.parties)


def start_server(
    db: str,
    port: int,
    log: Path,
    argv: Sequence[str] = (),
    verify: ssl.SSLContext | None = None,
) -> subprocess.Popen[bytes]:
    """``sharedsky serve`` in a child process, once it answers /healthz; ``argv``: more options
    of ``serve``; ``verify``: the SSL context that trusts its certificate (it serves HTTPS)."""
    env = os.environ | {"SHAREDSKY_LOG_LEVEL": "warning"}
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "sharedsky", "serve", "--db", db, "--port", str(port), *argv],
            stdout=sink,
            stderr=subprocess.STDOUT,
            env=env,
        )
    scheme = "http" if verify is None else "https"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            health = httpx.get(
                f"{scheme}://127.0.0.1:{port}/healthz", timeout=1, verify=verify or True
            )
            if health.status_code == 200:
                return process
        except httpx.TransportError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit(f"STOP: the server did not start; see {log}")
