"""Where cached downloads, prepared data and converted models live.

One root, `$DISTILL_HOME` (default `~/.cache/distill`), so a user can move or wipe the cache in one place.
"""

import os
import re
import shlex
from pathlib import Path


def home() -> Path:
    return Path(os.environ.get("DISTILL_HOME", Path.home() / ".cache" / "distill"))


def data_dir() -> Path:
    """Prepared benchmark JSONL; `$DISTILL_DATA` overrides it (lm-eval tasks read it too)."""
    return Path(os.environ.get("DISTILL_DATA", home() / "data"))


def downloads_dir() -> Path:
    return home() / "downloads"


def bigbench_dir() -> Path:
    """BIG-bench task files, `<task>/task.json`: extracted from its PyPI sdist into the downloads, or wherever
    `$DISTILL_BIGBENCH` says (the `bigbench/benchmark_tasks` folder of a BIG-bench clone, say)."""
    return Path(os.environ.get("DISTILL_BIGBENCH", downloads_dir() / "bigbench"))


def models_dir() -> Path:
    return home() / "models"


def slug(name: str) -> str:
    """A model name as a safe file or directory name: 'Qwen/Qwen2.5-1.5B' -> 'qwen2.5-1.5b'."""
    return re.sub(r"[^a-z0-9._-]+", "-", Path(name.rstrip("/")).name.lower()).strip(".-") or "model"


PROJECT_ROOT = Path(__file__).resolve().parent.parent


def portable(text: str) -> str:
    """Text to publish (results, commands) without this machine's absolute paths: paths inside the
    project become relative to it, and the home directory becomes ~."""
    end = r"(?![\w-]|\.\w)"  # the name ends here: not /home/user2 or /home/user.old beside /home/user
    text = re.sub(re.escape(str(PROJECT_ROOT)) + r"(/|" + end + ")", lambda m: "" if m[1] else ".", text)
    return re.sub(re.escape(str(Path.home())) + end, "~", text)


def public_arg(arg: str) -> str:
    """A command-line argument to publish: `portable`, and a path anywhere else on this machine (absolute,
    or under ~) cut to its last part (a submitter's directory layout is nobody's business); in --flag=value,
    the value."""
    flag, equals, value = arg.partition("=") if arg.startswith("--") else ("", "", arg)
    value = portable(value)
    return flag + equals + (Path(value).name if os.path.isabs(value) or value.startswith("~") else value)


def public_command(argv: list[str]) -> str:
    """The `distill` command line an entry records, each argument through `public_arg`."""
    return shlex.join(["distill", *map(public_arg, argv)])
