"""`gazettekg serve` — the SPARQL endpoint, REST API and query page over the store."""
from __future__ import annotations

import socket
import sys

from gazettekg.common import OK, err, store_arg


def cmd_serve(args) -> int:
    import uvicorn
    from api.app import create_app
    from api.settings import Settings
    from queries.engines import StoreError, is_remote
    if is_remote(args.store):
        return err(f"--store {args.store}: serve answers from a local store only (it makes no outbound "
                   "connections); build one with `gazettekg build --store DIR`")
    try:
        settings = Settings.from_env(store=args.store, time_limit=args.time_limit, row_limit=args.row_limit,
                                     workers=args.workers)
        app = create_app(settings)
    except (StoreError, ValueError) as error:
        return err(str(error))
    # Bind first, so `--port 0` works and the printed URL is the real one.
    family = socket.AF_INET6 if ":" in args.host else socket.AF_INET
    # IPPROTO_TCP explicitly: asyncio turns Nagle off (TCP_NODELAY) only on sockets whose proto
    # says TCP, and without it every keep-alive response waits ~40 ms for a delayed ACK.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((args.host, args.port))
    except OSError as error:
        return err(f"cannot listen on {args.host}:{args.port}: {error.strerror}")
    port = sock.getsockname()[1]
    host = f"[{args.host}]" if family == socket.AF_INET6 else args.host
    url = f"http://{host}:{port}/"
    print(f"gazettekg: serving {settings.store} at {url} (SPARQL endpoint {url}sparql, API docs {url}docs)",
          flush=True)
    from api.connections import guarded_protocol, raise_open_file_limit
    raise_open_file_limit()
    server = uvicorn.Server(uvicorn.Config(
        app, log_level=args.log_level, access_log=args.log_level == "debug",
        http=guarded_protocol(settings.header_timeout, settings.max_connections),
        timeout_keep_alive=settings.keep_alive, timeout_graceful_shutdown=settings.shutdown_wait,
        # a request head may carry a GET query up to max_request_bytes (the app answers 414 above)
        h11_max_incomplete_event_size=settings.max_request_bytes + 16 * 1024))
    server.run(sockets=[sock])
    return OK


def register(sub) -> None:
    from api.settings import Settings
    helps = {d["name"]: d["help"] for d in Settings.describe()}
    s = sub.add_parser("serve", help="serve the SPARQL endpoint, REST API and query page over the store",
                       description="Every setting can also come from the environment: " + ", ".join(
                           d["env"] for d in Settings.describe()) + ".")
    store_arg(s)
    s.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    s.add_argument("--port", type=int, default=8000, help="port to listen on; 0 picks a free one (default: 8000)")
    s.add_argument("--time-limit", type=float, help=helps["time_limit"] + " (default: 10)")
    s.add_argument("--row-limit", type=int, help=helps["row_limit"] + " (default: 10000)")
    s.add_argument("--workers", type=int, help=helps["workers"] + " (default: 2)")
    s.add_argument("--log-level", default="warning", choices=("critical", "error", "warning", "info", "debug"),
                   help="server log level (default: warning)")
    s.set_defaults(func=cmd_serve)
