"""`seawall bank`: create, fill, match and export hash banks (PDQ, vPDQ, MD5, SHA-256, text)."""

from __future__ import annotations

import argparse
import json
import sys
from contextlib import contextmanager

from seawall.errors import InvalidInput, SeawallError

KINDS = ("pdq", "vpdq", "md5", "sha256", "text")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("bank", help="manage and match hash banks", description=__doc__)
    s = p.add_subparsers(dest="bank_command", metavar="SUBCOMMAND", required=True)

    c = s.add_parser("create", help="create a bank")
    c.add_argument("name")
    c.add_argument("--kind", required=True, choices=KINDS)
    c.add_argument("--distance", type=int, help="match distance (default: the kind's)")
    c.add_argument("--negative", action="store_true",
                   help="known-benign content: its matches suppress other banks' matches")
    c.add_argument("--category", help="taxonomy category of the bank's content")
    c.add_argument("--description", default="")
    c.add_argument("--disabled", action="store_true", help="create it disabled")
    c.add_argument("--options", type=json.loads, default={},
                   help='JSON, e.g. \'{"flood": {"min_matches": 50, "factor": 10}}\'')
    c.set_defaults(func=_create)

    ls = s.add_parser("list", help="list banks")
    ls.set_defaults(func=_list)

    for verb, on in (("enable", True), ("disable", False)):
        e = s.add_parser(verb, help=f"{verb} matching against a bank")
        e.add_argument("name")
        e.set_defaults(func=_toggle, enabled=on)

    d = s.add_parser("delete", help="delete a bank and all its entries")
    d.add_argument("name")
    d.add_argument("--yes", action="store_true", help="really delete")
    d.set_defaults(func=_delete)

    i = s.add_parser("import", help="import a hash list (csv, te, te-csv, jsonl); all or nothing")
    i.add_argument("name")
    i.add_argument("file", help="file path, or - for stdin")
    i.add_argument("--format", choices=("csv", "te", "te-csv", "jsonl"),
                   help="default: guessed from the content")
    _provenance(i)
    i.set_defaults(func=_import)

    a = s.add_parser("add", help="add hashes given on the command line")
    a.add_argument("name")
    a.add_argument("hashes", nargs="+")
    _provenance(a)
    a.add_argument("--external-id")
    a.set_defaults(func=_add)

    r = s.add_parser("remove", help="remove entries by id or hash")
    r.add_argument("name")
    r.add_argument("--entry-id", type=int, action="append", default=[])
    r.add_argument("--hash", action="append", default=[])
    r.set_defaults(func=_remove)

    m = s.add_parser("match", help="match hashes (one per line) against a bank")
    m.add_argument("name")
    m.add_argument("--input", "-i", default="-", help="file of hashes, or - for stdin")
    m.add_argument("--output", "-o", default="-")
    m.set_defaults(func=_match)

    x = s.add_parser("export", help="write a bank's hashes with their provenance")
    x.add_argument("name")
    x.add_argument("--format", default="csv", choices=("csv", "te", "jsonl"))
    x.add_argument("--output", "-o", default="-")
    x.add_argument("--all", action="store_true", help="include quarantined entries")
    x.set_defaults(func=_export)

    st = s.add_parser("stats", help="entries, index size and memory, flood reports")
    st.add_argument("name")
    st.set_defaults(func=_stats)

    rl = s.add_parser("release", help="take a quarantined (flooding) entry back into use")
    rl.add_argument("name")
    rl.add_argument("entry_id", type=int)
    rl.add_argument("--by", help="who checked it")
    rl.set_defaults(func=_release)

    cp = s.add_parser("compact", help="fold additions and removals into one index segment")
    cp.add_argument("name")
    cp.set_defaults(func=_compact)


def _provenance(p: argparse.ArgumentParser) -> None:
    p.add_argument("--source", help="where the hashes came from (e.g. ncmec, review)")
    p.add_argument("--added-by", help="who added them")
    p.add_argument("--reason", help="why they are in the bank")
    p.add_argument("--category", help="taxonomy category, unless the file gives one")


def _service():
    from seawall.banks.service import get_service

    return get_service()


def _print(obj) -> None:
    print(json.dumps(obj, indent=2, sort_keys=True, default=str))


@contextmanager
def _open(path: str, mode: str):
    if path == "-":
        yield (sys.stdin.buffer if "b" in mode else sys.stdin) if "r" in mode else sys.stdout
    else:
        with open(path, mode, **({} if "b" in mode else {"encoding": "utf-8"})) as f:
            yield f


def _create(args) -> int:
    bank = _service().create_bank(args.name, args.kind, distance=args.distance,
                                  negative=args.negative, category=args.category,
                                  description=args.description, options=args.options,
                                  enabled=not args.disabled)
    _print(bank.to_json())
    return 0


def _list(args) -> int:
    for b in _service().list_banks(fresh=True):
        flags = [f for f, on in (("disabled", not b.enabled), ("negative", b.negative)) if on]
        print(f"{b.name}\t{b.kind}\tdistance={b.distance}\t{b.category or '-'}\t"
              f"{','.join(flags) or 'enabled'}")
    return 0


def _toggle(args) -> int:
    _print(_service().update_bank(args.name, enabled=args.enabled).to_json())
    return 0


def _delete(args) -> int:
    if not args.yes:
        raise InvalidInput(f"deleting bank {args.name!r} removes all its entries; add --yes")
    _service().delete_bank(args.name)
    return 0


def _defaults(args) -> dict:
    return {"source": args.source, "added_by": args.added_by, "reason": args.reason,
            "category": args.category}


def _import(args) -> int:
    svc = _service()
    if args.file == "-":
        report = svc.import_file(args.name, sys.stdin.buffer, fmt=args.format,
                                 defaults=_defaults(args))
    else:
        report = svc.import_file(args.name, args.file, fmt=args.format, defaults=_defaults(args))
    _print(report.to_json())
    return 0


def _add(args) -> int:
    report = _service().add_entries(args.name, args.hashes, external_id=args.external_id,
                                    **_defaults(args))
    _print(report.to_json())
    return 0


def _remove(args) -> int:
    if not args.entry_id and not args.hash:
        raise InvalidInput("name entries to remove with --entry-id or --hash")
    _print({"removed": _service().remove_entries(args.name, entry_ids=args.entry_id,
                                                 hashes=args.hash)})
    return 0


def _match(args) -> int:
    svc = _service()
    bank = svc.get_bank(args.name)
    hasher = svc.hasher(bank.kind)
    with _open(args.input, "r") as src, _open(args.output, "w") as out:
        batch: list[str] = []

        def flush() -> None:
            errors = {}
            for h in batch:
                try:
                    hasher.parse(h)
                except SeawallError as exc:
                    errors[h] = exc.to_json()
            good = list(dict.fromkeys(h for h in batch if h not in errors))
            results = dict(zip(good, svc.match(bank.kind, good, banks=[bank.name], record=False,
                                               include_disabled=True))) if good else {}
            for h in batch:  # one output line per input line, in order
                if h in errors:
                    out.write(json.dumps({"hash": h, "error": errors[h]}) + "\n")
                else:
                    out.write(json.dumps({"hash": h, "matches": [
                        {k: v for k, v in m.to_json().items() if k not in ("bank", "kind")}
                        for m in results[h]]}) + "\n")
            batch.clear()

        for line in src:
            h = line.strip()
            if h:
                batch.append(h)
            if len(batch) >= 4096:
                flush()
        flush()
    return 0


def _export(args) -> int:
    with _open(args.output, "w") as out:
        n = _service().export(args.name, out, args.format, include_quarantined=args.all)
    print(f"exported {n} entries", file=sys.stderr)
    return 0


def _stats(args) -> int:
    _print(_service().stats(args.name))
    return 0


def _release(args) -> int:
    _service().release_entry(args.name, args.entry_id, by=args.by)
    return 0


def _compact(args) -> int:
    _service().compact(args.name)
    _print(_service().stats(args.name)["index"])
    return 0
