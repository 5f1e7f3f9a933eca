"""A transformers model directory as a GGUF file, so llama.cpp's server can serve it (students, and the base).

    gguf = export.to_gguf("artifacts/students/last_letter-cot")   # -> <dir>/gguf/model-f32.gguf

The conversion is llama.cpp's own `convert_hf_to_gguf.py` (from the tree `distill engines build` unpacks),
run once per directory and type; a directory whose weights changed since (a student trained again) is
converted again. `f32` keeps the directory's numbers: the served model answers as transformers does in fp32
(tests/test_export.py measures the greedy agreement).
"""

import subprocess
import sys
from pathlib import Path

from distill import llama_tools, locks
from distill.errors import DistillError

TYPES = ("f32", "bf16", "f16", "q8_0")  # what the converter writes that we serve
DEFAULT_TYPE = "f32"


def gguf_path(model_dir: Path, outtype: str = DEFAULT_TYPE) -> Path:
    return Path(model_dir) / "gguf" / f"model-{outtype}.gguf"


def to_gguf(model_dir: str | Path, outtype: str = DEFAULT_TYPE) -> Path:
    """The directory's GGUF of type `outtype`, converted now if it is missing or older than the weights."""
    model_dir = Path(model_dir)
    if outtype not in TYPES:
        raise DistillError(f"unknown GGUF type '{outtype}': choose from {', '.join(TYPES)}")
    if not (model_dir / "config.json").is_file():
        raise DistillError(f"'{model_dir}' is not a saved transformers model (no config.json), so it cannot be "
                           "converted to GGUF")
    out = gguf_path(model_dir, outtype)
    if _current(out, model_dir):
        return out
    with locks.hold(out, "distill export"):
        staged = out.with_name(f".{out.name}.tmp")
        out.parent.mkdir(exist_ok=True)
        print(f"converting {model_dir} to GGUF ({outtype}) for llama.cpp, once...", file=sys.stderr, flush=True)
        done = subprocess.run([sys.executable, str(llama_tools.converter()), str(model_dir), "--outfile",
                               str(staged), "--outtype", outtype], capture_output=True, text=True)
        if done.returncode != 0:
            staged.unlink(missing_ok=True)
            last = (done.stderr.strip().splitlines() or ["no output"])[-1]
            raise DistillError(f"converting {model_dir} to GGUF failed: {last}")
        staged.replace(out)
    return out


def _current(gguf: Path, model_dir: Path) -> bool:
    weights = list(model_dir.glob("*.safetensors")) + list(model_dir.glob("*.bin"))
    return gguf.is_file() and all(w.stat().st_mtime <= gguf.stat().st_mtime for w in weights)
