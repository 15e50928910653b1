"""RunStore: everything one `kopt optimize` run has done, kept so the run survives being killed.

Layout: RUN_DIR/run.sqlite (meta, candidates, verdicts, LLM calls) and RUN_DIR/candidates/cNNNN.py.

Kill-safety rules this module keeps:
* every write is one committed transaction, so a SIGKILL leaves either all of it or none of it;
* a candidate's source file is written (atomically, fsynced) *before* its row commits, so every row
  has its file; a kill in between leaves only an orphan file, overwritten by the next add;
* candidates are deduplicated by sha256 of their source and a verdict can be recorded only once,
  so resume never evaluates a candidate twice; LLM replies are keyed by (round, lane, attempt) so
  resume never pays for a reply it already has.

Durability: WAL with synchronous=FULL. In WAL mode NORMAL already survives a *process* kill (the
committed WAL frames are in the OS page cache); FULL adds an fsync per commit so a power loss or
VM kill cannot drop the last LLM reply (money) or verdict (GPU minutes) either. Commits here are
a few per candidate, each preceded by seconds of LLM or judge time, so the fsync costs nothing.
"""
from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import tempfile
import threading
import time
from contextlib import contextmanager, suppress
from pathlib import Path

SCHEMA_VERSION = 1  # kept in PRAGMA user_version; 0 means "no kopt schema in this file"
DB_NAME = "run.sqlite"
CAND_DIR = "candidates"

_SCHEMA = [
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    """CREATE TABLE candidates (
        id INTEGER PRIMARY KEY, round INTEGER NOT NULL, lane INTEGER NOT NULL,
        origin TEXT NOT NULL, parent INTEGER, sha256 TEXT NOT NULL UNIQUE, created REAL NOT NULL,
        status TEXT NOT NULL DEFAULT 'pending', verdict TEXT, speedup REAL,
        candidate_ms REAL, reference_ms REAL, kernels INTEGER)""",
    """CREATE TABLE llm_calls (
        id INTEGER PRIMARY KEY, round INTEGER NOT NULL, lane INTEGER NOT NULL,
        attempt INTEGER NOT NULL, messages TEXT NOT NULL, reply_text TEXT NOT NULL,
        finish_reason TEXT, prompt_tokens INTEGER NOT NULL, completion_tokens INTEGER NOT NULL,
        model TEXT, elapsed_s REAL, usage_estimated INTEGER NOT NULL, created REAL NOT NULL,
        UNIQUE (round, lane, attempt))""",
    f"PRAGMA user_version = {SCHEMA_VERSION}",
]
_CAND_COLS = ("id, round, lane, origin, parent, sha256, created, status, verdict, speedup, "
              "candidate_ms, reference_ms, kernels")
_LLM_COLS = ("id, round, lane, attempt, messages, reply_text, finish_reason, prompt_tokens, "
             "completion_tokens, model, elapsed_s, usage_estimated, created")
_CAND_NAMES = [c.strip() for c in _CAND_COLS.split(",")]
_LLM_NAMES = [c.strip() for c in _LLM_COLS.split(",")]
REDACTED = "[REDACTED:OPENAI_API_KEY]"


class StoreError(Exception):
    """A run directory that cannot be created/opened, or a write the store refuses."""


def _secret() -> str | None:
    # Read at every write, not import time: the key may be set after kopt is imported.
    key = os.environ.get("OPENAI_API_KEY", "")
    return key if len(key) >= 8 else None  # a short value would match innocent text


def _contains(obj, needle: str) -> bool:
    if isinstance(obj, str):
        return needle in obj
    if isinstance(obj, dict):
        return any(_contains(k, needle) or _contains(v, needle) for k, v in obj.items())
    if isinstance(obj, (list, tuple)):
        return any(_contains(v, needle) for v in obj)
    return False


def _guard(what: str, *objs) -> None:
    key = _secret()
    if key and any(_contains(o, key) for o in objs):
        raise StoreError(f"refusing to store {what}: it contains the value of OPENAI_API_KEY")


def _dumps(obj, what: str) -> str:
    try:
        return json.dumps(obj)
    except (TypeError, ValueError) as e:
        raise StoreError(f"{what} is not JSON-serializable: {e}") from None


def _write_atomic(path: Path, data: bytes) -> None:
    # Temp file in the same directory so os.replace is an atomic rename on one filesystem;
    # fsync file then directory so the rename is durable before the row that points at it.
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".py")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with suppress(OSError):
            os.unlink(tmp)
        raise
    dfd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dfd)
    finally:
        os.close(dfd)


class RunStore:
    def __init__(self, run_dir: Path, conn: sqlite3.Connection):
        self.run_dir = run_dir
        self._conn = conn
        # One connection shared by the judge's thread pool; the lock serializes use of it
        # (sqlite3 connections are not safe for concurrent use from several threads).
        self._lock = threading.RLock()
        self._swept = False  # stale temp files of killed writers removed yet?

    # ---- opening -------------------------------------------------------------------------
    @staticmethod
    def _connect(db: Path, must_exist: bool) -> sqlite3.Connection:
        uri = db.resolve().as_uri() + ("?mode=rw" if must_exist else "")  # rw: never create on open
        # isolation_level=None: we issue BEGIN/COMMIT ourselves, one transaction per write.
        conn = sqlite3.connect(uri, uri=True, timeout=30, isolation_level=None, check_same_thread=False)
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=FULL")
            return conn
        except sqlite3.DatabaseError as e:
            conn.close()
            raise StoreError(f"{db} is corrupt or not a SQLite database ({e})") from None

    @classmethod
    def _probe(cls, db: Path) -> tuple[sqlite3.Connection, int]:
        """Connect to an existing db and return it with its schema version (0: no kopt run)."""
        conn = cls._connect(db, must_exist=True)
        try:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            check = conn.execute("PRAGMA quick_check").fetchone()[0]  # cheap at run-db sizes
        except sqlite3.DatabaseError as e:
            check = str(e)
        if check != "ok":
            conn.close()
            raise StoreError(f"{db} is corrupt or not a SQLite database ({check})")
        return conn, version

    @classmethod
    def create(cls, run_dir: Path, meta: dict) -> "RunStore":
        run_dir = Path(run_dir)
        if run_dir.exists() and not run_dir.is_dir():
            raise StoreError(f"{run_dir} exists and is not a directory")
        db = run_dir / DB_NAME
        if db.exists():
            conn, version = cls._probe(db)
            conn.close()
            # user_version 0 = a create killed before its one transaction committed: reuse it.
            if version != 0:
                raise StoreError(f"{run_dir} already holds a kopt run; use --resume {run_dir}")
        meta = dict(meta)
        meta.setdefault("status", "running")
        meta.setdefault("created", time.time())
        _guard("run meta", meta)  # before anything touches the disk
        rows = [(k, _dumps(v, f"meta[{k!r}]")) for k, v in meta.items()]
        (run_dir / CAND_DIR).mkdir(parents=True, exist_ok=True)
        store = cls(run_dir, cls._connect(db, must_exist=False))
        try:
            with store._tx() as c:  # schema + meta in one transaction: a kill leaves no half-run
                for stmt in _SCHEMA:
                    c.execute(stmt)
                c.executemany("INSERT INTO meta (key, value) VALUES (?, ?)", rows)
        except sqlite3.DatabaseError as e:
            store.close()
            raise StoreError(f"cannot create a run in {run_dir} ({e})") from None
        return store

    @classmethod
    def open(cls, run_dir: Path) -> "RunStore":
        run_dir = Path(run_dir)
        if not run_dir.is_dir():
            raise StoreError(f"{run_dir} is not a directory (expected a kopt run directory)")
        db = run_dir / DB_NAME
        if not db.is_file():
            raise StoreError(f"{run_dir} is not a kopt run directory (no {DB_NAME} in it)")
        conn, version = cls._probe(db)
        if version != SCHEMA_VERSION:
            conn.close()
            what = "holds no kopt run" if version == 0 else f"has schema v{version}, expected v{SCHEMA_VERSION}"
            raise StoreError(f"{db} {what}")
        return cls(run_dir, conn)

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    @contextmanager
    def _tx(self):
        # BEGIN IMMEDIATE takes the write lock up front, so a read-then-write (next id, next
        # attempt, dedupe) cannot race another writer, even one in another process.
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
                self._conn.execute("COMMIT")
            except BaseException:
                if self._conn.in_transaction:  # also after a failed COMMIT, so the next BEGIN works
                    self._conn.execute("ROLLBACK")
                raise

    def _query(self, sql: str, args=()) -> list[tuple]:
        with self._lock:
            return self._conn.execute(sql, args).fetchall()

    # ---- meta ----------------------------------------------------------------------------
    def meta(self) -> dict:
        return {k: json.loads(v) for k, v in self._query("SELECT key, value FROM meta ORDER BY key")}

    def update_meta(self, **kv) -> None:
        _guard("run meta", kv)
        rows = [(k, _dumps(v, f"meta[{k!r}]")) for k, v in kv.items()]
        with self._tx() as c:
            c.executemany("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", rows)

    # ---- candidates ----------------------------------------------------------------------
    def _cand_path(self, cid: int) -> Path:
        return self.run_dir / CAND_DIR / f"c{cid:04d}.py"

    def add_candidate(self, round: int, lane: int, source: str, origin: str,
                      parent: int | None = None) -> tuple[int, bool]:
        _guard("candidate source", source, origin)
        data = source.encode("utf-8")
        sha = hashlib.sha256(data).hexdigest()
        with self._tx() as c:
            row = c.execute("SELECT id FROM candidates WHERE sha256 = ?", (sha,)).fetchone()
            if row:
                return row[0], False
            # Explicit max+1 (not AUTOINCREMENT) keeps ids consecutive: a rolled-back or killed
            # add leaves no gap, and its orphan file is simply overwritten by this id's next use.
            cid = c.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM candidates").fetchone()[0]
            if not self._swept:
                # Holding the write lock, no writer is mid-_write_atomic: any temp file left is
                # from a killed process. Once per store, not per add (the dir can be large).
                for f in (self.run_dir / CAND_DIR).glob(".tmp-*"):
                    f.unlink(missing_ok=True)
                self._swept = True
            _write_atomic(self._cand_path(cid), data)
            c.execute("INSERT INTO candidates (id, round, lane, origin, parent, sha256, created) "
                      "VALUES (?, ?, ?, ?, ?, ?, ?)", (cid, round, lane, origin, parent, sha, time.time()))
        return cid, True

    def _cands(self, where: str = "1", args=()) -> list[dict]:
        out = []
        for r in self._query(f"SELECT {_CAND_COLS} FROM candidates WHERE {where} ORDER BY id", args):
            d = dict(zip(_CAND_NAMES, r))
            d["verdict"] = json.loads(d["verdict"]) if d["verdict"] is not None else None
            d["path"] = str(self._cand_path(d["id"]))
            out.append(d)
        return out

    def candidate(self, cid: int) -> dict:
        rows = self._cands("id = ?", (cid,))
        if not rows:
            raise StoreError(f"no candidate {cid} in {self.run_dir}")
        return rows[0]

    def candidates(self) -> list[dict]:
        return self._cands()

    def pending(self) -> list[dict]:
        return self._cands("verdict IS NULL")  # e.g. added, then killed mid-evaluation

    def record_verdict(self, cid: int, verdict: dict) -> None:
        if not isinstance(verdict, dict) or not isinstance(verdict.get("status"), str):
            raise StoreError(f"verdict for candidate {cid} must be a dict with a string 'status'")
        text = _dumps(verdict, f"verdict for candidate {cid}")
        key = _secret()
        if key:
            # The reason text comes from an adversarial candidate (it may print os.environ);
            # redact rather than raise so a hostile candidate cannot crash the run. Replace the
            # key as JSON spells it, in case it holds a character that JSON escapes.
            text = text.replace(json.dumps(key)[1:-1], REDACTED)
        kernels = verdict.get("kernels")
        with self._tx() as c:
            cur = c.execute(
                "UPDATE candidates SET status = ?, verdict = ?, speedup = ?, candidate_ms = ?, "
                "reference_ms = ?, kernels = ? WHERE id = ? AND verdict IS NULL",
                (verdict["status"], text, verdict.get("speedup"), verdict.get("candidate_ms"),
                 verdict.get("reference_ms"), len(kernels) if kernels is not None else None, cid))
            if cur.rowcount == 0:
                exists = c.execute("SELECT 1 FROM candidates WHERE id = ?", (cid,)).fetchone()
                raise StoreError(f"candidate {cid} already has a verdict (never evaluated twice)"
                                 if exists else f"no candidate {cid} in {self.run_dir}")

    def best(self) -> dict | None:
        """The written winner once a run has one (it passed its re-verification, so it may not be the
        top of the ranking); before that, the top of the one ranking (kopt.ranking)."""
        from kopt import ranking
        meta, rows = self.meta(), self.candidates()
        won = next((r for r in rows if r["id"] == meta.get("winner")), None)
        return won or ranking.best(rows, ranking.cpu_run(meta))

    # ---- LLM calls -----------------------------------------------------------------------
    def record_llm_call(self, round: int, lane: int, messages: list[dict], reply_text: str,
                        finish_reason: str, prompt_tokens: int, completion_tokens: int, model: str,
                        elapsed_s: float, usage_estimated: bool = False,
                        attempt: int | None = None) -> int:
        """Store one reply; attempt defaults to the next free one for (round, lane)."""
        _guard("LLM call", messages, reply_text, finish_reason, model)
        msgs = _dumps(messages, "LLM messages")
        with self._tx() as c:
            if attempt is None:
                attempt = c.execute("SELECT COALESCE(MAX(attempt) + 1, 0) FROM llm_calls "
                                    "WHERE round = ? AND lane = ?", (round, lane)).fetchone()[0]
            try:
                cur = c.execute(
                    f"INSERT INTO llm_calls ({', '.join(_LLM_NAMES[1:])}) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (round, lane, attempt, msgs, reply_text, finish_reason, int(prompt_tokens),
                     int(completion_tokens), model, float(elapsed_s), int(bool(usage_estimated)),
                     time.time()))
            except sqlite3.IntegrityError:
                raise StoreError(f"an LLM reply for round {round} lane {lane} attempt {attempt} "
                                 "is already stored") from None
            return cur.lastrowid

    def _calls(self, where: str = "1", args=()) -> list[dict]:
        out = []
        for r in self._query(f"SELECT {_LLM_COLS} FROM llm_calls WHERE {where} ORDER BY id", args):
            d = dict(zip(_LLM_NAMES, r))
            d["messages"], d["usage_estimated"] = json.loads(d["messages"]), bool(d["usage_estimated"])
            out.append(d)
        return out

    def llm_call(self, round: int, lane: int, attempt: int = 0) -> dict | None:
        rows = self._calls("round = ? AND lane = ? AND attempt = ?", (round, lane, attempt))
        return rows[0] if rows else None

    def llm_calls(self) -> list[dict]:
        return self._calls()

    def usage(self) -> dict:
        p, c, n = self._query("SELECT COALESCE(SUM(prompt_tokens), 0), "
                              "COALESCE(SUM(completion_tokens), 0), COUNT(*) FROM llm_calls")[0]
        return {"prompt_tokens": p, "completion_tokens": c, "calls": n}

    def summary(self) -> dict:
        counts = dict(self._query("SELECT status, COUNT(*) FROM candidates GROUP BY status ORDER BY status"))
        return {"candidates": sum(counts.values()), "counts": counts, "usage": self.usage(),
                "best": self.best(), "meta": self.meta()}
