"""`seawall scan`: JSON Lines in, one decision (or error) line out per input line, in order."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from typing import BinaryIO, Iterator

from seawall.errors import SeawallError
from seawall.items import content_from_json, decision_to_json, error_to_json
from seawall.progress import Progress
from seawall.settings import get_settings

# A line longer than this is skipped (with an error line) without ever being held whole,
# so one hostile line cannot take the process's memory.
MAX_LINE_BYTES = 8 * 1024 * 1024
BATCH = 64


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("scan", help="judge items from JSON Lines", description=__doc__)
    p.add_argument("--input", "-i", default="-", help="JSON Lines file, or - for stdin (default)")
    p.add_argument("--output", "-o", default="-", help="output file, or - for stdout (default)")
    p.add_argument("--policy", help="policy file (default: the shipped default policy)")
    p.set_defaults(func=run)


def read_lines(stream: BinaryIO, limit: int = MAX_LINE_BYTES) -> Iterator[bytes | None]:
    """Lines as bytes; None for a line over `limit` (its bytes are read and dropped)."""
    while True:
        line = stream.readline(limit + 1)
        if not line:
            return
        if len(line) > limit and not line.endswith(b"\n"):
            while True:  # drain the rest of the oversized line in bounded chunks
                rest = stream.readline(limit)
                if not rest or rest.endswith(b"\n"):
                    break
            yield None
            continue
        yield line


def parse_line(raw: bytes | None, max_text_chars: int):
    """(item id, Content) or (item id, error dict)."""
    if raw is None:
        return None, error_to_json(None, "too_large", f"line longer than {MAX_LINE_BYTES:,} bytes")
    try:
        line = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return None, error_to_json(None, "invalid_utf8", f"line is not valid UTF-8 (byte {exc.start})")
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as exc:
        return None, error_to_json(None, "invalid_json", f"not JSON: {exc.msg} at column {exc.colno}")
    except RecursionError:
        return None, error_to_json(None, "invalid_json", "JSON nested too deeply")
    item_id = obj.get("id") if isinstance(obj, dict) else None
    try:
        return item_id, content_from_json(obj, max_text_chars=max_text_chars)
    except SeawallError as exc:
        return item_id, error_to_json(item_id, exc.code, str(exc))


def run(args: argparse.Namespace) -> int:
    from seawall import flow
    from seawall.policy import load_policy

    settings = get_settings()
    policy = load_policy(args.policy) if args.policy else None
    src = sys.stdin.buffer if args.input == "-" else open(args.input, "rb")
    dst = sys.stdout if args.output == "-" else open(args.output, "w", encoding="utf-8")
    errors = 0
    try:
        with Progress("scanned") as prog:
            pending: list = []  # (item id, Content | error dict) in input order

            def flush() -> None:
                nonlocal errors
                contents = [(k, c) for k, (_, c) in enumerate(pending) if not isinstance(c, dict)]
                decided: dict[int, dict] = {}
                if contents:
                    try:
                        decisions = flow.decide_many([c for _, c in contents], policy=policy)
                        for (k, _), d in zip(contents, decisions):
                            decided[k] = decision_to_json(pending[k][0], d)
                    except Exception:
                        # One bad item (say, a corrupt image) must not sink its batch:
                        # retry one by one so the error lands on its own line.
                        for k, c in contents:
                            try:
                                decided[k] = decision_to_json(pending[k][0], flow.moderate(c, policy=policy))
                            except SeawallError as exc:
                                decided[k] = error_to_json(pending[k][0], exc.code, str(exc))
                            except Exception as exc:  # a bug must cost one line, not the batch
                                logging.getLogger(__name__).exception("item %r failed", pending[k][0])
                                decided[k] = error_to_json(pending[k][0], "internal_error",
                                                           f"{type(exc).__name__}: {exc}")
                for k, (item_id, c) in enumerate(pending):
                    out = c if isinstance(c, dict) else decided[k]
                    errors += "error" in out
                    dst.write(json.dumps(out, ensure_ascii=False) + "\n")
                dst.flush()
                prog.update(len(pending))
                pending.clear()

            for raw in read_lines(src):
                if raw is not None and not raw.strip():
                    # Still one output line per input line, so outputs align with inputs.
                    item_id, parsed = None, error_to_json(None, "empty_line", "blank line")
                else:
                    item_id, parsed = parse_line(raw, settings.max_text_chars)
                pending.append((item_id, parsed))
                # Media items are slow; decide them alone so text batches stay fast.
                if len(pending) >= BATCH or (not isinstance(parsed, dict) and
                                             (parsed.image or parsed.video or parsed.audio)):
                    flush()
            flush()
    finally:
        if src is not sys.stdin.buffer:
            src.close()
        if dst is not sys.stdout:
            dst.close()
    if errors:
        print(f"seawall scan: {errors} line(s) had errors", file=sys.stderr)
    return 0
