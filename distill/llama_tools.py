"""llama.cpp's native tools, built once from source a registry ships: `llama-server` and the HF-to-GGUF converter.

The llama-cpp-python sdist on PyPI vendors a whole llama.cpp tree. `build()` downloads that sdist (checked
against the index's sha256), unpacks its llama.cpp tree under `$DISTILL_HOME/llama.cpp/<version>/src`, and
compiles the one target we need with the system's cmake and C++ compiler:

    distill engines build        # about 7 minutes on 2 cores, once per machine; later calls return at once

`llama-server` is a C++ HTTP server with parallel slots and continuous batching; llama-cpp-python's own
Python server, which needs the same compile and more, answers one request at a time. `DISTILL_LLAMA_SERVER`
points at another llama-server binary instead (one you built or installed yourself).
"""

import os
import re
import shutil
import subprocess
import tarfile
from pathlib import Path

from tqdm import tqdm

from distill import locks, paths, pypi
from distill.errors import DistillError

SDIST = "llama-cpp-python==0.3.36"  # its vendor/llama.cpp is the llama.cpp we build and convert with
VERSION = SDIST.split("==")[1]
# No web UI (the prebuilt one is a download), no HTTPS, no tests: llama-server alone, statically linked.
CMAKE_FLAGS = ["-DCMAKE_BUILD_TYPE=Release", "-DBUILD_SHARED_LIBS=OFF", "-DLLAMA_BUILD_TESTS=OFF",
               "-DLLAMA_BUILD_EXAMPLES=OFF", "-DLLAMA_BUILD_UI=OFF", "-DLLAMA_USE_PREBUILT_UI=OFF",
               "-DLLAMA_OPENSSL=OFF", "-DGGML_NATIVE=ON", "-DGGML_CCACHE=OFF"]


def root() -> Path:
    return paths.home() / "llama.cpp" / VERSION


def source_dir() -> Path:
    return root() / "src"


def built_server() -> Path:
    return root() / "bin" / "llama-server"


def server_binary() -> Path | None:
    """The llama-server to run: `$DISTILL_LLAMA_SERVER`, or the one `build()` made; None when neither exists."""
    chosen = os.environ.get("DISTILL_LLAMA_SERVER")
    if chosen:
        if not os.access(chosen, os.X_OK):
            raise DistillError(f"DISTILL_LLAMA_SERVER={chosen} is not an executable file")
        return Path(chosen)
    return built_server() if built_server().is_file() else None


def converter() -> Path:
    """llama.cpp's convert_hf_to_gguf.py, from the unpacked source (fetched if it is not there yet)."""
    script = source_dir() / "convert_hf_to_gguf.py"
    if not script.is_file():
        _unpack()
    return script


def build() -> Path:
    """Compile llama-server unless it is built already; returns its path. One clear DistillError on failure."""
    if built_server().is_file():
        return built_server()
    if not shutil.which("cmake") or not (shutil.which("c++") or shutil.which("g++")):
        raise DistillError("building llama-server needs cmake and a C++ compiler (apt-get install cmake g++); "
                           "until it builds, models run on the slower engines (`distill engines list`)")
    with locks.hold(built_server(), "distill engines build"):
        _unpack()
        build_dir = root() / "build"
        log = root() / "build.log"
        with open(log, "w") as out:
            _run(["cmake", "-S", str(source_dir()), "-B", str(build_dir), *CMAKE_FLAGS], out, log)
            _run(["cmake", "--build", str(build_dir), "--target", "llama-server",
                  "-j", str(len(os.sched_getaffinity(0)))], out, log)
        built_server().parent.mkdir(parents=True, exist_ok=True)
        staged = built_server().with_name(".llama-server.tmp")
        shutil.copy2(build_dir / "bin" / "llama-server", staged)
        staged.replace(built_server())  # atomic: a half-copied binary is never found
        shutil.rmtree(build_dir)  # object files: about 200 MB nobody needs once the binary exists
    return built_server()


def _unpack() -> None:
    if (source_dir() / "CMakeLists.txt").is_file():
        return
    sdist = pypi.download(SDIST, paths.downloads_dir(), kind="sdist")
    staging = root() / ".src.tmp"
    shutil.rmtree(staging, ignore_errors=True)
    prefix = f"llama_cpp_python-{VERSION}/vendor/llama.cpp/"
    with tarfile.open(sdist) as tar:
        members = [m for m in tar.getmembers() if m.name.startswith(prefix)]
        for m in members:
            m.name = m.name[len(prefix):]
        tar.extractall(staging, members=[m for m in members if m.name], filter="data")
    shutil.rmtree(source_dir(), ignore_errors=True)
    staging.replace(source_dir())


def _run(cmd: list[str], out, log: Path) -> None:
    """A cmake step, its output in the log; the build's `[ 42%]` lines move a progress bar."""
    with subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) as proc, \
            tqdm(total=100, unit="%", desc="building llama-server", disable="--build" not in cmd) as bar:
        for line in proc.stdout:
            out.write(line)
            if m := re.match(r"\[\s*(\d+)%\]", line):
                bar.update(int(m.group(1)) - bar.n)
    if proc.returncode != 0:
        raise DistillError(f"building llama-server failed at `{' '.join(cmd[:2])}` (its output is in {log}); "
                           "until it builds, models run on the slower engines (`distill engines list`)")
