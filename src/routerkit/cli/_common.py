"""What every command shares: exit codes, the one-line error report, the data directory, building the model.

Nothing heavy is imported at module level: `routerkit --help` loads this module.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pathlib import Path

    from routerkit.models.openrouter import OpenRouterResponses

DEFAULT_MODEL = "openai/gpt-oss-20b"
KEY_ENV = "OPENROUTER_API_KEY"

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_AUTH = 3
EXIT_CREDITS = 4
EXIT_RATE_LIMIT = 5
EXIT_BAD_REQUEST = 6
EXIT_NETWORK = 7
EXIT_SERVER = 8
EXIT_INTERRUPTED = 130

EXIT_CODES_HELP = """\
exit codes:
  0    success
  1    unexpected error (rerun with --debug for a traceback)
  2    usage error or bad input (bad option, unreadable input file, no API key, stdout closed,
       ROUTERKIT_HOME not a directory)
  3    authentication failed (HTTP 401: missing or invalid OPENROUTER_API_KEY)
  4    insufficient credits (HTTP 402)
  5    rate limited (HTTP 429, after retries)
  6    bad request or another 4xx (400 unknown model, 403 moderation, 404, 413, 422)
  7    network: could not connect, timed out, or the stream broke mid-answer
  8    server or provider error (5xx), the response failed or stopped early, or unusable JSON output
  130  interrupted (Ctrl-C)
"""


class HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """Help as written (descriptions and examples keep their lines), options aligned at column 32."""

    def __init__(self, prog: str) -> None:
        super().__init__(prog, max_help_position=32, width=100)


class CliError(Exception):
    """A failure the CLI reports as one line with a chosen exit code."""

    def __init__(self, message: str, code: int = EXIT_USAGE) -> None:
        super().__init__(message)
        self.code = code


def exit_code_for(exc: BaseException) -> int:
    """The exit code of an exception, per the table in `EXIT_CODES_HELP`."""
    from routerkit import errors as e

    if isinstance(exc, KeyboardInterrupt):
        return EXIT_INTERRUPTED
    if isinstance(exc, CliError):
        return exc.code
    if isinstance(exc, e.UsageError):
        return EXIT_USAGE
    if isinstance(exc, e.AuthenticationError):
        return EXIT_AUTH
    if isinstance(exc, e.InsufficientCreditsError):
        return EXIT_CREDITS
    if isinstance(exc, e.RateLimitError):
        return EXIT_RATE_LIMIT
    if isinstance(exc, e.ServerError):
        return EXIT_SERVER
    if isinstance(exc, e.APIStatusError):  # 400, 403, 404, 413, 422
        return EXIT_BAD_REQUEST
    if isinstance(exc, e.APIConnectionError | e.APITimeoutError | e.StreamInterruptedError):
        return EXIT_NETWORK
    if isinstance(exc, e.APIError | e.OutputValidationError):  # response failed / incomplete / bad JSON
        return EXIT_SERVER
    return EXIT_ERROR


def redact(text: str) -> str:
    """`text` with the API key (if one is set) replaced: nothing the CLI prints may contain it."""
    key = os.environ.get(KEY_ENV)
    if key and len(key) >= 4:
        text = text.replace(key, "***")
    return text


def error_line(exc: BaseException) -> str:
    """One sentence saying what went wrong: kind, HTTP status, OpenRouter's message, the model — never a
    Python class name (routerkit's errors say what happened; anything else is an unexpected error)."""
    if isinstance(exc, KeyboardInterrupt):
        return "interrupted"
    from routerkit.errors import RouterkitError

    text = str(exc)
    if isinstance(exc, OSError) and exc.strerror:
        text = f"{exc.strerror}: {exc.filename}" if exc.filename else exc.strerror
    elif not isinstance(exc, RouterkitError | CliError):
        text = f"unexpected error ({text or 'no message'}); rerun with --debug for a traceback"
    return " ".join(redact(text or "unknown error").split())


def explain(exc: BaseException, args: argparse.Namespace) -> BaseException:
    """`exc`, or a `CliError` with a hint when the likely cause is the user's setup: a 404 from a base URL
    the user chose usually means it lacks the `/api/v1` path."""
    status = getattr(exc, "status", None)
    base_url = getattr(args, "base_url", None) or os.environ.get("OPENROUTER_BASE_URL")
    if status == 404 and base_url and not base_url.rstrip("/").endswith("/api/v1"):
        return CliError(
            f"{error_line(exc)} — does the base URL end in /api/v1? ({redact(base_url)})", exit_code_for(exc)
        )
    return exc


def report_error(exc: BaseException, *, debug: bool) -> int:
    """Print `exc` on stderr (a redacted traceback first with --debug); return its exit code."""
    if debug and not isinstance(exc, KeyboardInterrupt):
        import traceback

        sys.stderr.write(redact("".join(traceback.format_exception(exc))))
    sys.stderr.write(f"routerkit: error: {error_line(exc)}\n")
    sys.stderr.flush()
    return exit_code_for(exc)


def data_home() -> Path:
    """Where sessions and caches live: `$ROUTERKIT_HOME`, else the user's data directory (created if need be;
    a path that cannot be a directory is a usage error, not a traceback)."""
    from pathlib import Path

    env = os.environ.get("ROUTERKIT_HOME")
    if env:
        path = Path(env).expanduser()
        source = f"ROUTERKIT_HOME={env}"
    else:
        import platformdirs

        path = Path(platformdirs.user_data_dir("routerkit", appauthor=False))
        source = f"the data directory {path}"
    try:
        path.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise CliError(
            f"{source} is a file, not a directory: point ROUTERKIT_HOME at a directory", EXIT_USAGE
        ) from None
    except OSError as exc:
        raise CliError(f"cannot create {source}: {exc.strerror or exc}", EXIT_USAGE) from None
    return path


_SURROGATES = re.compile("[\ud800-\udfff]")


def clean_arg(text: str) -> str:
    """A command-line argument with its undecodable bytes (which Python keeps as lone surrogates) as U+FFFD,
    so that it can be sent and printed."""
    return _SURROGATES.sub("\ufffd", text)


def prepare_streams() -> None:
    """Make the standard streams safe to use: stdin decodes invalid UTF-8 as U+FFFD, and stdout replaces
    what its encoding cannot write. A closed stdout (`routerkit ... >&-`) is a usage error: there is
    nowhere to write the answer."""
    for stream, errors in ((sys.stdin, "replace"), (sys.stdout, "replace")):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            with contextlib.suppress(OSError, ValueError):  # closed or detached: stdout is checked below
                reconfigure(errors=errors)
    stdout = sys.stdout
    if stdout is None or getattr(stdout, "closed", False):
        raise CliError("stdout is closed: there is nowhere to write the output (redirect it to a file instead)")


def default_model() -> str:
    """`$ROUTERKIT_MODEL`, else the default model."""
    return os.environ.get("ROUTERKIT_MODEL") or DEFAULT_MODEL


def require_key() -> None:
    """A usage error, before any request, when no API key is set."""
    if not os.environ.get(KEY_ENV):
        raise CliError(
            f"{KEY_ENV} is not set; get a key at https://openrouter.ai/keys "
            "(or try `routerkit demo`, or `routerkit emulator` for a local server)",
            EXIT_USAGE,
        )


def apply_settings(args: argparse.Namespace) -> None:
    """Fill the model options the command line left unset from `ROUTERKIT_MODEL` and `config.toml`, and
    resolve model aliases: flags win, then the environment, then the config file, then the defaults."""
    from ._config import load_config

    config = load_config(data_home())
    settings = config.settings
    args.model = config.resolve(
        args.model or os.environ.get("ROUTERKIT_MODEL") or settings.get("model") or DEFAULT_MODEL
    )
    args.fallback = [config.resolve(m) for m in args.fallback or ()]
    args.aliases = config.aliases
    if args.system is None:
        args.system = settings.get("system")
    if args.base_url is None and not os.environ.get("OPENROUTER_BASE_URL"):
        args.base_url = settings.get("base_url")
    if args.max_retries is None:
        args.max_retries = settings.get("max_retries")
    if args.timeout is None:
        args.timeout = settings.get("timeout")
    if args.effort is None and args.reasoning is not False:
        args.effort = settings.get("effort")
    if args.reasoning is None:
        args.reasoning = settings.get("reasoning")
    args.log = settings.get("log", True) and not getattr(args, "no_log", False)


def reasoning_option(args: argparse.Namespace) -> dict[str, Any] | None:
    """`--effort LEVEL` → that effort; `--reasoning` → enabled; `--no-reasoning` or neither → None."""
    if args.reasoning is False:
        return None
    if args.effort:
        return {"effort": args.effort}
    return {"enabled": True} if args.reasoning else None


def build_model(
    args: argparse.Namespace,
    *,
    model_id: str | None = None,
    reasoning: dict[str, Any] | None = None,
    text: dict[str, Any] | None = None,
) -> OpenRouterResponses:
    """The model the command's options describe (id, fallbacks, base URL, retries, timeout)."""
    from routerkit.models.openrouter import OpenRouterResponses

    model_id = model_id or args.model or default_model()
    fallbacks = [m for m in (args.fallback or ()) if m != model_id]
    kwargs: dict[str, Any] = {
        "id": model_id,
        "models": [model_id, *fallbacks] if fallbacks else None,
        "reasoning": reasoning,
        "text": text,
        "app_title": "routerkit CLI",
    }
    if args.base_url:
        kwargs["base_url"] = args.base_url
    if args.max_retries is not None:
        kwargs["max_retries"] = args.max_retries
    if args.timeout is not None:
        kwargs["timeout"] = args.timeout
    return OpenRouterResponses(**kwargs)


def stdout_is_terminal() -> bool:
    """Whether stdout is a terminal (False when it is missing or closed)."""
    try:
        return sys.stdout.isatty()
    except (AttributeError, ValueError):
        return False


def stderr_is_tty() -> bool:
    """Whether stderr is a terminal: progress lines (spinner, retries) are shown only there."""
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


def stderr_is_terminal() -> bool:
    """Whether stderr is a terminal that may be styled (NO_COLOR unset)."""
    try:
        return sys.stderr.isatty() and not os.environ.get("NO_COLOR")
    except (AttributeError, ValueError):
        return False


def dim(text: str) -> str:
    """`text` in the terminal's dim style when stderr is a terminal (and NO_COLOR is unset)."""
    return f"\x1b[2m{text}\x1b[0m" if stderr_is_terminal() else text


def note(text: str) -> None:
    """A dim line on stderr: status, hints, footers — never on stdout."""
    sys.stderr.write(dim(text) + "\n")
    sys.stderr.flush()
