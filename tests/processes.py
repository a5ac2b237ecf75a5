"""kscrape run as a user runs it: `python -m kscrape` in a child process, with the console
encoding of Korean Windows or of a C locale, or on a Python that cannot import the POSIX-only
modules (the nearest a Linux CI gets to Windows).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from kscrape.config import Config

from .conftest import cli_env

# Console encodings to run under: what Korean Windows gives a redirected stdout, and a C
# locale told to speak ASCII.
ENCODINGS = {
    "cp949": {"PYTHONIOENCODING": "cp949"},
    "C-ascii": {"LANG": "C", "PYTHONIOENCODING": "ascii"},
}
UTF8 = {"PYTHONIOENCODING": "utf-8"}

# Modules Linux has and Windows does not, that a program could import by mistake.
POSIX_ONLY = ("fcntl", "termios", "tty", "pty", "pwd", "grp", "resource", "syslog")

SITECUSTOMIZE = f'''
"""Make the POSIX-only modules unimportable, as they are on Windows."""
import sys

BLOCKED = {POSIX_ONLY!r}


class _WindowsLike:
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in BLOCKED:
            raise ModuleNotFoundError(f"No module named {{name!r}} (blocked)", name=name)
        return None


for _name in BLOCKED:
    sys.modules.pop(_name, None)
sys.meta_path.insert(0, _WindowsLike())
'''


def child_env(config: Config | None = None, **extra: str) -> dict[str, str]:
    """This environment less locale, encoding and KSCRAPE_* settings, plus `config`'s."""
    drop = ("KSCRAPE_", "LC_", "LANG", "PYTHONIOENCODING", "PYTHONUTF8", "PYTHONLEGACY")
    env = {k: v for k, v in os.environ.items() if not k.startswith(drop)}
    if config is not None:
        env.update(cli_env(config))
    env.update(extra)
    return env


def without_posix(folder: Path) -> dict[str, str]:
    """Environment entries that make a child Python lack fcntl and the other POSIX modules."""
    site = folder / "windows-like-site"
    site.mkdir(parents=True, exist_ok=True)
    (site / "sitecustomize.py").write_text(SITECUSTOMIZE, encoding="utf-8")
    paths = [str(site), *filter(None, [os.environ.get("PYTHONPATH")])]
    return {"PYTHONPATH": os.pathsep.join(paths)}


def kscrape(*args: str, env: dict[str, str], cwd: Path | None = None,
            timeout: float = 180) -> subprocess.CompletedProcess[bytes]:
    """`python -m kscrape ARGS`; stdout and stderr as bytes."""
    return subprocess.run([sys.executable, "-m", "kscrape", *args], env=env, cwd=cwd,
                          capture_output=True, timeout=timeout, check=False)


def kscrape_popen(*args: str, env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "kscrape", *args], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def outside_cp949(text: str) -> set[str]:
    """The characters of `text` that Korean Windows' code page cannot encode."""
    missing = set()
    for char in set(text):
        try:
            char.encode("cp949")
        except UnicodeEncodeError:
            missing.add(char)
    return missing
