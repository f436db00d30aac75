"""`config.toml` under ROUTERKIT_HOME: the CLI's defaults (`routerkit config set model …`) and model aliases.

Read with the standard library's `tomllib`; written by the tiny writer below, which only ever has to write
what `set` accepts (strings, booleans, numbers and one `[aliases]` table of strings).
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from ._common import EXIT_USAGE, CliError

__all__ = ["KEYS", "Config", "load_config", "parse_value"]

#: Every key `config set` accepts, with what it means (also the help text of `config`).
KEYS: dict[str, str] = {
    "model": "default model id or alias (ROUTERKIT_MODEL and -m win)",
    "system": "default system prompt (-s wins)",
    "effort": "default reasoning effort: none, minimal, low, medium, high, xhigh, max",
    "reasoning": "true to ask for reasoning by default",
    "base_url": "API base URL (OPENROUTER_BASE_URL and --base-url win)",
    "max_retries": "retries on 429/5xx/network (an integer ≥ 0)",
    "timeout": "overall deadline per model call, in seconds",
    "log": "false to keep no log of ask and chat turns (`routerkit logs off`)",
}
_ALIAS = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


def parse_value(key: str, text: str) -> str | bool | int | float:
    """The typed value of `config set KEY TEXT`; a `CliError` naming what is accepted otherwise."""
    from . import REASONING_EFFORTS

    if key not in KEYS:
        raise CliError(f"unknown config key {key!r}; the keys are: {', '.join(KEYS)}", EXIT_USAGE)
    if key in ("reasoning", "log"):
        lowered = text.strip().lower()
        if lowered in ("true", "on", "yes", "1"):
            return True
        if lowered in ("false", "off", "no", "0"):
            return False
        raise CliError(f"config {key}: expected true or false, got {text!r}", EXIT_USAGE)
    if key == "max_retries":
        if not text.strip().isdigit():
            raise CliError(f"config max_retries: expected an integer ≥ 0, got {text!r}", EXIT_USAGE)
        return int(text)
    if key == "timeout":
        try:
            seconds = float(text)
        except ValueError:
            seconds = float("nan")
        if not seconds > 0 or seconds == float("inf"):
            raise CliError(f"config timeout: expected a number of seconds > 0, got {text!r}", EXIT_USAGE)
        return seconds
    if key == "effort" and text not in REASONING_EFFORTS:
        raise CliError(f"config effort: expected one of {', '.join(REASONING_EFFORTS)}, got {text!r}", EXIT_USAGE)
    if not text.strip():
        raise CliError(f"config {key}: expected a non-empty value", EXIT_USAGE)
    return text


def _toml_string(text: str) -> str:
    # JSON's escapes are TOML basic-string escapes; TOML also wants DEL escaped
    import json

    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")


def _toml_value(value: str | bool | int | float) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    return _toml_string(value)


class Config:
    """The settings and aliases of one `config.toml`. (A plain class: `routerkit --help` imports this module,
    and `dataclasses` would add to its start-up.)"""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.settings: dict[str, Any] = {}
        self.aliases: dict[str, str] = {}

    def resolve(self, model_id: str) -> str:
        """`model_id`, or the model an alias of that name stands for."""
        return self.aliases.get(model_id, model_id)

    def set_alias(self, name: str, model_id: str) -> None:
        if not _ALIAS.match(name):
            raise CliError(
                f"alias name {name!r}: use letters, digits, '.', '_' or '-' (up to 64, starting with a letter or "
                "digit)",
                EXIT_USAGE,
            )
        if "/" not in model_id:
            raise CliError(f"alias {name}: {model_id!r} is not a model id like openai/gpt-4o-mini", EXIT_USAGE)
        self.aliases[name] = model_id

    def save(self) -> None:
        """Write the file (atomically: a crash leaves the old or the new file, never half of one)."""
        lines = ["# routerkit settings: `routerkit config --help`"]
        lines += [f"{key} = {_toml_value(value)}" for key, value in self.settings.items()]
        if self.aliases:
            lines += ["", "[aliases]"]
            lines += [f"{_toml_string(name)} = {_toml_string(model)}" for name, model in sorted(self.aliases.items())]
        tmp = self.path.with_suffix(".toml.tmp")
        tmp.write_text("\n".join(lines) + "\n", encoding="utf-8")
        os.replace(tmp, self.path)


def load_config(home: Path) -> Config:
    """The config in `home` (empty when there is no file); a broken file is a usage error naming it."""
    path = home / "config.toml"
    config = Config(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return config
    except OSError as exc:
        raise CliError(f"cannot read {path}: {exc.strerror or exc}", EXIT_USAGE) from None
    import tomllib

    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise CliError(f"{path} is not valid TOML ({exc}); fix or delete it", EXIT_USAGE) from None
    aliases = data.pop("aliases", {})
    if not isinstance(aliases, dict) or not all(isinstance(v, str) for v in aliases.values()):
        raise CliError(f"{path}: [aliases] must map names to model ids (strings)", EXIT_USAGE)
    for key, value in data.items():
        if key not in KEYS:
            raise CliError(f"{path}: unknown key {key!r}; the keys are: {', '.join(KEYS)}", EXIT_USAGE)
        config.settings[key] = parse_value(key, value if isinstance(value, str) else _toml_value(value))
    config.aliases = dict(aliases)
    return config
