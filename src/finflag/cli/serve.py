"""``finflag serve REPORT_DIR``: the review app on this machine (127.0.0.1 unless --host is given).

Starlette and uvicorn are the optional extra ``finflag[serve]``, imported
only when this command runs, so no other command pays for them.
"""

from __future__ import annotations

import ipaddress
import socket
import time
from pathlib import Path

import click

from .options import CommandError

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8470


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def allowed_hosts(host: str) -> list[str]:
    """The Host header names the app answers: loopback names, plus the one given (any, for a wildcard bind)."""
    from ..serve.app import LOOPBACK_HOSTS

    if host in ("0.0.0.0", "::", ""):
        return ["*"]
    return list(dict.fromkeys([*LOOPBACK_HOSTS, host]))


@click.command("serve", epilog="\b\nExamples:\n  finflag serve report/\n  finflag serve report/ --port 9000\n"
                               "  finflag serve report/ --host 192.168.1.20   # others on the network can review")
@click.argument("report_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--port", type=click.IntRange(0, 65535), default=DEFAULT_PORT, show_default=True,
              help="Port to listen on; 0 picks a free one (printed).")
@click.option("--host", default=None, help=f"Interface to listen on (default {DEFAULT_HOST}, this machine only). "
                                            "Any other address lets the network read the report and decide.")
def serve_command(report_dir: Path, port: int, host: str | None) -> None:
    """Review a report folder in the browser: index, post pages, keyboard review saved in review.db."""
    from .report import _report_dir

    _report_dir(report_dir)
    try:
        import uvicorn

        from ..serve.app import create_app, warm
    except ImportError as error:
        raise CommandError(f"finflag serve needs the serve extra ({error.name} is missing): "
                           "pip install 'finflag[serve]'") from None
    host = host or DEFAULT_HOST
    if not is_loopback(host):
        click.echo(f"finflag: warning: serving on {host}: anyone who can reach it can read this report and record "
                   "decisions (there is no login)", err=True)
    app = create_app(report_dir.resolve(), allowed_hosts(host))
    sock = listen(host, port)
    started = time.perf_counter()
    posts = warm(app)
    click.echo(f"finflag: {posts} posts read in {time.perf_counter() - started:.1f} s", err=True)
    # The address comes last, once the app is ready: scripts and tests wait for this line.
    shown = f"[{host}]" if ":" in host else host
    click.echo(f"finflag: reviewing {report_dir} at http://{shown}:{sock.getsockname()[1]}/ (Ctrl-C to stop)",
               err=True)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", server_header=False))
    server.run(sockets=[sock])


def listen(host: str, port: int) -> socket.socket:
    """The listening socket, bound here so that a taken port is a one-line error (port 0: any free one)."""
    try:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host.strip("[]"), port))
        sock.listen(128)
    except OSError as error:
        raise CommandError(f"cannot listen on {host}:{port}: {error.strerror or error}") from None
    return sock
