"""Summarise a py-spy raw (collapsed stacks) profile of the gateway: where does the CPU go?

    .venv/bin/python -m bench.profile_summary bench/results/py-spy-<run>-w1-1.txt [--top 30]

Three views of the same samples:

* threads: the asyncio event loop (uvicorn, Starlette, FastAPI) vs the ingest writer threads
  (`gateway_api/http/group_commit.py`; an anyio threadpool before issue 10);
* steps: inclusive share of the ingest steps (decode, authenticate, read_order, mapping,
  duplicate check, order rules, records, commit, ...), each sample counted once per step;
* layers: exclusive share by the library of the innermost Python frame (C code is charged to the
  Python frame that called it: lxml parsing to the parser, libpq to psycopg);
* functions: the project functions with the largest inclusive share.
"""

from __future__ import annotations

import argparse
import re
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

PROJECT = ("gateway_api/", "connectors/", "mappings/", "schemas/")
FRAME = re.compile(r"^(?P<func>.*) \((?P<file>[^():]+)(?::(?P<line>\d+))?\)$")

# (label, substring of a frame) - checked on every frame of a sample; a sample counts once per step
STEPS: tuple[tuple[str, str], ...] = (
    ("writer threads: IngestWriter._store (all of it)", "IngestWriter._store "),
    ("  IngestPipeline.open (no database)", "IngestPipeline.open "),
    ("  connector.open (decode, authenticate, read)", ".open (connectors/"),
    ("    decode (cXML bytes -> document)", ".decode (connectors/"),
    ("    authenticate", ".authenticate (connectors/"),
    ("    _dtd_note", "_dtd_note "),
    ("    order_document (document -> PurchaseOrder)", "order_document "),
    ("  map_purchase_order", "map_purchase_order "),
    ("  Envelope(...) (pydantic)", "Envelope"),
    ("  IngestPipeline.process_together (a group in one transaction)", "process_together "),
    ("    group prefetch (keys, order locks)", "_prefetch "),
    ("    a group stored body by body (fallback, or a group of one)", "IngestPipeline._store "),
    ("  SqlUnitOfWork enter (pool checkout, BEGIN)", "SqlUnitOfWork.__enter__ "),
    ("  duplicate check", "IngestPipeline._lookup "),
    ("  decide_order_change", "decide_order_change "),
    ("  connector.acknowledge (cXML Response)", ".acknowledge (connectors/"),
    ("  _raw (document record: redact, sha256)", "IngestPipeline._raw "),
    ("    documents.add", "DocumentRepository.add "),
    ("    order change write", "OrderChange.write "),
    ("    idempotency.add", "IdempotencyRepository.add "),
    ("  SqlUnitOfWork.commit (staged INSERTs + COMMIT)", "SqlUnitOfWork.commit "),
    ("    BufferedConnection.flush (staged INSERTs)", "BufferedConnection.flush "),
    ("  SqlUnitOfWork exit (rollback check, return to pool)", "SqlUnitOfWork.__exit__ "),
    ("  logging", "logging/"),
    ("any SQLAlchemy", "sqlalchemy/"),
    ("  SQL compilation", "sqlalchemy/sql/compiler.py"),
    ("  result processing / type processors", "sqlalchemy/engine/cursor.py"),
    ("any psycopg", "psycopg/"),
    ("any pydantic", "pydantic"),
    ("any json", "json/"),
    ("any lxml / xml", "lxml"),
    ("event loop: uvicorn/starlette/fastapi", "uvicorn/"),
)


def parse(path: Path) -> list[tuple[list[str], int]]:
    """(frames root -> leaf, count) per line; the leading `process ...` frame is dropped."""
    samples = []
    for raw in path.read_text(errors="replace").splitlines():
        stack, _, count = raw.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        frames = stack.split(";")
        if frames and frames[0].startswith("process "):
            frames = frames[1:]
        samples.append((frames, int(count)))
    return samples


def layer(frame: str) -> str:
    """Library of a frame: the package directory after site-packages, or the stdlib module."""
    match = FRAME.match(frame)
    if match is None:
        return "?"
    file = match.group("file")
    for root in PROJECT:
        if file.startswith(root) or f"/{root}" in file:
            return root.rstrip("/")
    parts = file.split("/")
    name = parts[0] if len(parts) > 1 else parts[0].removesuffix(".py")
    return {"_pytest": "pytest"}.get(name, name)


def summarise(path: Path, top: int) -> str:
    """The report as text."""
    samples = parse(path)
    total = sum(c for _, c in samples)
    if not total:
        return f"{path}: no samples"
    out = [f"{path}: {total} samples (non-idle threads of every server process)"]

    pool = sum(
        c for f, c in samples if any("WorkerThread.run" in x or "IngestWriter._run" in x for x in f)
    )
    out += [
        "",
        "threads",
        f"  {100 * pool / total:5.1f}%  ingest threads (writer threads; anyio workers before "
        "issue 10)",
    ]
    out.append(f"  {100 * (total - pool) / total:5.1f}%  event loop and other threads")

    out += ["", "steps (inclusive)"]
    for label, needle in STEPS:
        count = sum(c for f, c in samples if any(needle in x for x in f))
        out.append(f"  {100 * count / total:5.1f}%  {label}")

    layers: Counter[str] = Counter()
    for frames, count in samples:
        layers[layer(frames[-1]) if frames else "?"] += count
    out += ["", "layers (exclusive, innermost Python frame)"]
    out += [f"  {100 * c / total:5.1f}%  {name}" for name, c in layers.most_common(top)]

    functions: Counter[str] = Counter()
    for frames, count in samples:
        seen = set()
        for frame in frames:
            match = FRAME.match(frame)
            if match is None or layer(frame) not in {r.rstrip("/") for r in PROJECT}:
                continue
            key = f"{match.group('func')} ({match.group('file')})"
            if key not in seen:
                seen.add(key)
                functions[key] += count
    out += ["", "project functions (inclusive)"]
    out += [f"  {100 * c / total:5.1f}%  {name}" for name, c in functions.most_common(top)]
    return "\n".join(out)


def main(argv: Sequence[str] | None = None) -> int:
    """Print the summary of each profile given."""
    parser = argparse.ArgumentParser(prog="python -m bench.profile_summary")
    parser.add_argument("profiles", nargs="+", type=Path)
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args(argv)
    for profile in args.profiles:
        print(summarise(profile, args.top))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
