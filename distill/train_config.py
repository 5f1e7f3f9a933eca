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
    fields = {f.name: f for f in dataclasses.fields(TrainConfig) if f.init}
    values = {}
    if config_file:
        if not config_file.is_file():
            raise DistillError(f"config file '{config_file}' does not exist")
        values = yaml.safe_load(config_file.read_text()) or {}
        unknown = sorted(set(values) - set(fields))
        if unknown:
            raise DistillError(f"{config_file}: unknown setting(s) {', '.join(unknown)}")
        # YAML 1.1 reads 1e-4 as a string; the float fields take it as the number it is meant to be.
        values = {k: float(v) if isinstance(v, str) and "float" in str(fields[k].type) else v
                  for k, v in values.items()}
    values.update({k: v for k, v in flags.items() if k in fields})
    return TrainConfig(**values)


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
