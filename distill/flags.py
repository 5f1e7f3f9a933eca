"""Command-line flags made from a config dataclass, so each setting's default, type and help live on its field.

    add_flags(parser, GenerateConfig, choices={"backend": engines.ENGINES})

A field `top_p: float = field(default=1.0, metadata={"help": "nucleus sampling mass (default %(default)s)"})`
becomes `--top-p TOP_P` with type float and default 1.0; a field without a default becomes a required flag;
a bool field that defaults to False becomes a switch (`--chat`), any other bool a `--x/--no-x` pair.
"""

import argparse
import dataclasses
import types
import typing


def add_flags(parser: argparse.ArgumentParser, config: type, *, exclude=(), names: dict[str, str] | None = None,
              choices: dict[str, tuple] | None = None, keep_defaults: bool = True) -> None:
    """Add a flag for each field of the `config` dataclass except `exclude`, in field order.

    names: flags other than `--field-name`, by field; choices: allowed values, by field. With keep_defaults
    False a flag that is not given stays out of the parsed namespace (argparse.SUPPRESS), so that a value
    read from elsewhere (a config file) is not overwritten by the default.
    """
    names, choices = names or {}, choices or {}
    hints = typing.get_type_hints(config)
    for f in dataclasses.fields(config):
        if f.name in exclude:
            continue
        flag = names.get(f.name, "--" + f.name.replace("_", "-"))
        kind = _plain(hints[f.name])
        default = field_default(f)
        kwargs = {"dest": f.name, "help": f.metadata["help"]}
        if kind is bool:
            kwargs["action"] = "store_true" if default is False else argparse.BooleanOptionalAction
        elif f.name in choices:
            kwargs["choices"] = choices[f.name]
        else:
            kwargs["metavar"] = flag.lstrip("-").upper().replace("-", "_")
        if kind not in (bool, str):
            kwargs["type"] = kind
        if not keep_defaults:
            kwargs["default"] = argparse.SUPPRESS
            # argparse would print its SUPPRESS marker; the field's default is the one that applies.
            kwargs["help"] = kwargs["help"].replace("%(default)s", str(default))
        elif default is dataclasses.MISSING:
            kwargs["required"] = True
        else:
            kwargs["default"] = default
        parser.add_argument(flag, **kwargs)


def field_default(f: dataclasses.Field):
    """A dataclass field's default (MISSING when it has none)."""
    return f.default_factory() if f.default_factory is not dataclasses.MISSING else f.default


def _plain(hint):
    """`int | None` -> int: the type a given flag's text is parsed as."""
    if isinstance(hint, types.UnionType) or typing.get_origin(hint) is typing.Union:
        (hint,) = [arg for arg in typing.get_args(hint) if arg is not type(None)]
    return hint
