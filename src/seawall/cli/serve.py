"""`seawall serve`: the HTTP API under uvicorn; refuses non-loopback addresses without API keys."""

from __future__ import annotations

import argparse
import ipaddress
import logging
import os
import socket

from seawall.errors import SeawallError

log = logging.getLogger("seawall.serve")


def is_loopback(host: str) -> bool:
    """True only if every address the host names is a loopback address."""
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, None)
    except socket.gaierror:
        return False
    return bool(infos) and all(ipaddress.ip_address(i[4][0].split("%")[0]).is_loopback for i in infos)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("serve", help="run the HTTP API (OpenAI/Perspective-compatible and native)")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--no-worker", action="store_true",
                   help="do not run a job worker in this process (run `seawall worker` instead)")
    p.add_argument("--log-level", default="warning", choices=("debug", "info", "warning", "error"))
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import uvicorn

    from seawall.api.app import create_app
    from seawall.api.auth import parse_keys

    try:
        keys = parse_keys(os.environ.get("SEAWALL_API_KEYS"))
    except ValueError as exc:
        raise SeawallError(str(exc), code="bad_config") from None
    if not keys:
        if not is_loopback(args.host):
            raise SeawallError(f"refusing to listen on {args.host} without API keys: set SEAWALL_API_KEYS "
                               "(see docs/api.md) or listen on 127.0.0.1", code="no_keys")
        log.warning("no API keys configured (SEAWALL_API_KEYS): accepting unauthenticated requests on "
                    "loopback %s:%d only", args.host, args.port)
    app = create_app(keys=keys, run_worker=not args.no_worker)
    uvicorn.run(app, host=args.host, port=args.port, log_level=args.log_level, access_log=False)
    return 0
