"""``kiosk doctor``'s metrics items: the endpoint's address and port, the textfile directory.

The port is fine when it is free (the kiosk will serve it) or when the running kiosk already
serves its metrics there; FAIL when another program holds it or ``metrics.listen`` is wrong.
A textfile directory that cannot be written is a WARN: the kiosk sells without it.
"""

from __future__ import annotations

import os
import socket
import urllib.request
from pathlib import Path

from kiosk.maintenance.checks import FAIL, OK, WARN, Verdict
from kiosk.ops.metrics_exporter import ListenError, parse_listen


def check_metrics(settings, timeout_s: float = 2.0) -> list[Verdict]:
    m = settings.metrics
    out = [_endpoint(m.listen, m.allow_remote, timeout_s)]
    if m.textfile_dir:
        out.append(check_textfile(settings.resolve(m.textfile_dir)))
    return out


def _endpoint(listen: str, allow_remote: bool, timeout_s: float) -> Verdict:
    try:
        address = parse_listen(listen, allow_remote)
    except ListenError as e:
        return Verdict("metrics", FAIL, str(e))
    if address is None:
        return Verdict("metrics", OK, "not served (metrics.listen is empty)")
    host, port = address
    if serves_kiosk_metrics(host, port, timeout_s):
        return Verdict("metrics", OK, f"served by the running kiosk on {listen}")
    problem = port_free(host, port)
    if problem:
        return Verdict("metrics", FAIL, f"{listen} is taken by another program ({problem}):"
                       " free it or change metrics.listen")
    return Verdict("metrics", OK, f"{listen} is free (served while the kiosk runs)")


def serves_kiosk_metrics(host: str, port: int, timeout_s: float) -> bool:
    url = f"http://{'[' + host + ']' if ':' in host else host}:{port}/metrics"
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(url, timeout=timeout_s) as answer:
            return b"kiosk_build_info" in answer.read(1_000_000)
    except (OSError, ValueError):
        return False


def port_free(host: str, port: int) -> str:
    """"" when *host:port* can be bound now, else why not."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as e:
            return e.strerror or str(e)
    return ""


def check_textfile(directory: Path) -> Verdict:
    directory = Path(directory)
    if not directory.is_dir():
        return Verdict("metrics textfile", WARN, f"{directory} does not exist: no textfile"
                       " written (the kiosk still sells)")
    if not os.access(directory, os.W_OK):
        return Verdict("metrics textfile", WARN, f"{directory} is not writable by this user:"
                       " no textfile written (the kiosk still sells)")
    return Verdict("metrics textfile", OK, f"{directory}/kiosk.prom written every refresh")
