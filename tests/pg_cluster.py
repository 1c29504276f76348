"""A throwaway PostgreSQL 15 + PostGIS 3 cluster for the test session.

It lives in a temp dir, listens on 127.0.0.1 on a free port, has durability switched off (its data
is thrown away), and holds a template database `demine_template` with PostGIS already created, so
each test clones a ready database in milliseconds instead of running CREATE EXTENSION itself.
"""

from __future__ import annotations

import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
from psycopg import sql
from psycopg.abc import Query

PG_BIN = Path("/usr/lib/postgresql/15/bin")
TEMPLATE_DB = "demine_template"
# initdb refuses to run as root, so as root everything server-side runs as this Debian user.
PG_OS_USER = "postgres"

# Throwaway cluster: durability costs time and buys nothing here.
_SERVER_SETTINGS = """
listen_addresses = '127.0.0.1'
port = {port}
unix_socket_directories = '{socket_dir}'
fsync = off
full_page_writes = off
synchronous_commit = off
max_connections = 50
"""


class PgUnavailable(RuntimeError):
    """PostgreSQL or PostGIS is not installed here: the caller decides between skip and fail."""


def _free_port() -> int:
    # Ask the kernel for a free port. Another process could take it before postgres binds,
    # which start_cluster() handles by retrying on a new port.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class PgCluster:
    base_dir: Path
    port: int
    as_os_user: str | None  # run server commands via runuser as this user (None: as ourselves)
    startup_seconds: float = 0.0
    _counter: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    @property
    def data_dir(self) -> Path:
        return self.base_dir / "data"

    @property
    def log_file(self) -> Path:
        return self.base_dir / "postgres.log"

    @property
    def admin_url(self) -> str:
        return self.url("postgres")

    def url(self, dbname: str) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{dbname}"

    def run(self, tool: str, *args: str) -> None:
        cmd: list[str] = [str(PG_BIN / tool), *args]
        if self.as_os_user is not None:
            cmd = ["runuser", "-u", self.as_os_user, "--", *cmd]
        # cwd=base_dir: the postgres user may not be able to enter the caller's cwd (e.g. /root).
        proc = subprocess.run(cmd, cwd=self.base_dir, capture_output=True, text=True, timeout=120)
        if proc.returncode != 0:
            raise RuntimeError(
                f"{tool} failed ({proc.returncode}): {proc.stderr.strip() or proc.stdout.strip()}\n"
                f"{self.log_tail()}"
            )

    def log_tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self.log_file.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def new_database(self, template: str = TEMPLATE_DB) -> str:
        """Clone a template (by default the bare PostGIS one) into a fresh database and return its name."""
        name = f"demine_test_{next(self._counter)}"
        self.admin(sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
            sql.Identifier(name), sql.Identifier(template)))
        return name

    def drop_database(self, name: str) -> None:
        # FORCE: a test that leaked a connection must not break the teardown.
        self.admin(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))

    def admin(self, query: Query, dbname: str = "postgres") -> None:
        # CREATE/DROP DATABASE cannot run inside a transaction block: autocommit.
        with psycopg.connect(self.url(dbname), autocommit=True) as conn:
            conn.execute(query)

    def stop(self) -> None:
        """Stop at once and delete everything; never raises (it runs in teardown)."""
        if (self.data_dir / "postmaster.pid").exists():
            try:
                self.run("pg_ctl", "stop", "-D", str(self.data_dir), "-m", "immediate", "-w")
            except (RuntimeError, OSError, subprocess.TimeoutExpired):
                pass
        shutil.rmtree(self.base_dir, ignore_errors=True)


def _check_installed() -> str | None:
    """Return the os user to run the server as (None: ourselves); raise PgUnavailable if missing."""
    for tool in ("initdb", "pg_ctl", "postgres"):
        if not (PG_BIN / tool).is_file():
            raise PgUnavailable(
                f"{PG_BIN / tool} not found: install Debian postgresql-15 postgresql-15-postgis-3 "
                "(make system-deps as root)"
            )
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam(PG_OS_USER)
    except KeyError as exc:
        raise PgUnavailable(f"running as root but there is no '{PG_OS_USER}' user to run initdb") from exc
    return PG_OS_USER


def _make_base_dir(os_user: str | None) -> Path:
    # /tmp explicitly when root: TMPDIR could be a root-only dir the postgres user cannot enter,
    # and a short path keeps the unix socket path under its 107-byte limit.
    base = Path(tempfile.mkdtemp(prefix="demine-pg-", dir="/tmp" if os_user else None))
    if os_user is not None:
        pw = pwd.getpwnam(os_user)
        os.chown(base, pw.pw_uid, pw.pw_gid)
    return base


def _initdb(cluster: PgCluster) -> None:
    cluster.run(
        "initdb", "-D", str(cluster.data_dir), "-U", "postgres", "--auth=trust",
        "-E", "UTF8", "--locale=C.UTF-8", "--no-sync", "--no-instructions",
    )


def _start(cluster: PgCluster, ports: Sequence[int]) -> None:
    """Start on the first port that binds; conf is rewritten per attempt."""
    # Appended to postgresql.conf (later lines win); written as root it keeps its postgres owner.
    conf = cluster.data_dir / "postgresql.conf"
    original = conf.read_text()
    last_error: Exception | None = None
    for port in ports:
        cluster.port = port
        conf.write_text(original + _SERVER_SETTINGS.format(port=port, socket_dir=cluster.base_dir))
        try:
            cluster.run("pg_ctl", "start", "-D", str(cluster.data_dir), "-l", str(cluster.log_file),
                        "-w", "-t", "60")
            return
        except RuntimeError as exc:  # most likely the port was taken in the meantime
            last_error = exc
    raise RuntimeError(f"could not start PostgreSQL on ports {list(ports)}") from last_error


def _create_template(cluster: PgCluster) -> None:
    with psycopg.connect(cluster.admin_url, autocommit=True) as conn:
        row = conn.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'postgis'").fetchone()
    if row is None:
        raise PgUnavailable("PostGIS extension not available: install Debian postgresql-15-postgis-3")
    cluster.admin(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(TEMPLATE_DB)))
    cluster.admin("CREATE EXTENSION postgis", dbname=TEMPLATE_DB)
    # Marked as template so it can't be used by mistake and clones are allowed by any role.
    cluster.admin(sql.SQL("ALTER DATABASE {} IS_TEMPLATE true").format(sql.Identifier(TEMPLATE_DB)))


def start_cluster() -> PgCluster:
    """Create, start and prepare a cluster; on any failure nothing is left running or on disk."""
    os_user = _check_installed()
    t0 = time.monotonic()
    cluster = PgCluster(base_dir=_make_base_dir(os_user), port=0, as_os_user=os_user)
    try:
        _initdb(cluster)
        _start(cluster, [_free_port() for _ in range(3)])
        _create_template(cluster)
    except BaseException:
        cluster.stop()
        raise
    cluster.startup_seconds = time.monotonic() - t0
    return cluster
