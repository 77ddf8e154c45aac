"""Entry point inside the sandbox: ``runner judge ...`` or ``runner worker ...``.

Started as ``python -I -S -B -X utf8 -c BOOT <lib_dir> <role> <args...>`` where BOOT puts
<lib_dir> on sys.path and calls `main`; the standard library is all it needs.
"""

from __future__ import annotations


def main(argv: list[str]) -> None:
    role, rest = argv[0], argv[1:]
    if role == "judge":
        from .judge import main as run
    elif role == "worker":
        from .worker import main as run
    else:
        raise SystemExit(f"unknown role {role!r}")
    run(rest)
