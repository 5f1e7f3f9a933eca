"""TrainConfig, everything one `distill train` run needs; read from a --config YAML under the flags, and
written back as the YAML that reproduces the run.

    distill train --config recipes/train/smollm2-135m-last_letter-gold-ft_cot.yaml --max-steps 5  # flags win
"""

import dataclasses
import enum
from dataclasses import dataclass
from pathlib import Path

import yaml
from transformers import TrainingArguments

from distill.errors import DistillError
from distill.train_settings import TrainSettings


@dataclass
class TrainConfig(TrainSettings, TrainingArguments):
    """TrainSettings over transformers' TrainingArguments: a YAML config may set any field of either."""


def load_config(config_file: Path | None, flags: dict) -> TrainConfig:
    """A TrainConfig from the defaults, then the config file, then the flags given (those that are fields)."""
    values = {}
    if config_file:
        if not config_file.is_file():
            raise DistillError(f"config file '{config_file}' does not exist")
        values = yaml_settings(yaml.safe_load(config_file.read_text()) or {}, str(config_file))
    fields = _fields()
    values.update({k: v for k, v in flags.items() if k in fields})
    return TrainConfig(**values)


def yaml_settings(values: dict, where: str) -> dict:
    """Training settings as YAML holds them (a --config file, a recipe's `train:`), checked and typed: an unknown
    name is an error naming `where`, and a float field's string becomes the number it is meant to be (YAML 1.1
    reads 1e-4 as a string)."""
    fields = _fields()
    if unknown := sorted(set(values) - set(fields)):
        raise DistillError(f"{where}: unknown setting(s) {', '.join(unknown)}")
    typed = {}
    for key, value in values.items():
        if isinstance(value, str) and "float" in str(fields[key].type):
            try:
                value = float(value)
            except ValueError:
                raise DistillError(f"{where}: {key} is {value!r}, not a number") from None
        typed[key] = value
    return typed


def _fields() -> dict[str, dataclasses.Field]:
    return {f.name: f for f in dataclasses.fields(TrainConfig) if f.init}


def config_yaml(cfg: TrainConfig) -> str:
    """The settings given to this run, as `--config` reads them back."""
    def plain(value):  # enums and paths as YAML can hold them
        if isinstance(value, enum.Enum):
            return value.value
        if isinstance(value, (list, tuple)):
            return [plain(v) for v in value]
        if isinstance(value, dict):
            return {k: plain(v) for k, v in value.items()}
        return str(value) if isinstance(value, Path) else value

    return yaml.safe_dump(plain(cfg.given), sort_keys=True)
