"""The LLM client: one OpenAI-compatible chat call, streamed, with readable errors.

One code path serves OpenAI and local servers (vLLM, SGLang, Ollama, llama.cpp).
Retries with backoff for 429/5xx/timeouts are left to the `openai` client, which
already honours `retry-after` headers; this module only configures it, streams
the reply, and turns every failure into an `LLMError` whose message a user can
act on.  The API key lives only in `LLMConfig.api_key` and in the HTTP header:
it is kept out of repr(), and scrubbed from every error message.
"""
from __future__ import annotations

import os
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Mapping

import openai

if sys.version_info >= (3, 11):
    import tomllib
else:  # Python 3.10 (pyproject promises it): the same parser, from PyPI
    import tomli as tomllib

__all__ = ["LLMConfig", "LLMError", "Reply", "LLMClient", "resolve_config", "default_config_path"]

KINDS = ("config", "auth", "connection", "timeout", "rate_limit", "server", "bad_request")


class LLMError(Exception):
    """A failed LLM call or configuration; `kind` is one of KINDS."""

    def __init__(self, kind: str, message: str, status: int | None = None):
        assert kind in KINDS, kind
        super().__init__(message)
        self.kind = kind
        self.status = status

    def __str__(self) -> str:
        return self.args[0]


@dataclass
class LLMConfig:
    model: str
    base_url: str | None = None
    api_key: str | None = field(default=None, repr=False)  # never printed
    timeout_s: float = 120.0
    max_retries: int = 3
    max_tokens: int | None = None
    temperature: float | None = None


@dataclass
class Reply:
    text: str
    finish_reason: str  # "stop", "length" (cut off), ... or "unknown" if the stream ended without one
    prompt_tokens: int
    completion_tokens: int
    model: str
    elapsed_s: float
    usage_estimated: bool = False  # True when the server sent no usage and we guessed len//4


def default_config_path(env: Mapping[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    base = env.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "kopt" / "config.toml"


# Keys allowed in [llm]; unknown ones are rejected so that a typo ("modle")
# fails loudly instead of silently falling back to another source.
_FILE_KEYS = {"model": str, "base_url": str, "api_key": str, "timeout_s": (int, float),
              "max_retries": int, "max_tokens": int, "temperature": (int, float)}


def _read_config_file(path: Path) -> dict:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return {}
    except OSError as e:
        raise LLMError("config", f"cannot read the config file {path}: {e.strerror or e}") from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise LLMError("config", f"the config file {path} is not valid TOML ({e}); "
                                 f"fix the file or remove it") from None
    llm = data.get("llm", {})
    if not isinstance(llm, dict):
        raise LLMError("config", f"in {path}, `llm` must be a table ([llm]), not a {type(llm).__name__}")
    for key, value in llm.items():
        if key not in _FILE_KEYS:
            raise LLMError("config", f"unknown key `{key}` in [llm] of {path}; "
                                     f"known keys: {', '.join(sorted(_FILE_KEYS))}")
        if isinstance(value, bool) or not isinstance(value, _FILE_KEYS[key]):
            raise LLMError("config", f"in [llm] of {path}, `{key}` has the wrong type ({type(value).__name__})")
    return llm


def _missing_model_message(path: Path, api_key_env: str) -> str:
    return ("no LLM model is configured; pass --model NAME (and --base-url URL for a local "
            "server such as http://localhost:8000/v1), or set the environment variables "
            f"KOPT_MODEL, OPENAI_BASE_URL and {api_key_env}, or write {path} containing:\n"
            '  [llm]\n  model = "gpt-4o"\n  base_url = "http://localhost:8000/v1"   # optional\n'
            '  api_key = "..."                        # optional; or use the environment')


def resolve_config(model: str | None = None, base_url: str | None = None,
                   api_key_env: str = "OPENAI_API_KEY", config_path: str | Path | None = None,
                   env: Mapping[str, str] | None = None) -> LLMConfig:
    """Build the config: explicit args > environment > config file.

    There is deliberately no `api_key` argument: a key passed as a CLI flag
    ends up in shell history and `ps`, so keys come only from env or file.
    Empty environment variables count as unset.
    """
    env = os.environ if env is None else env
    path = Path(config_path).expanduser() if config_path is not None else default_config_path(env)
    file = _read_config_file(path)

    def pick(arg, env_name, file_key):
        if arg:
            return arg
        if env_name and env.get(env_name):
            return env[env_name]
        return file.get(file_key) or None

    cfg_model = pick(model, "KOPT_MODEL", "model")
    if not cfg_model:
        raise LLMError("config", _missing_model_message(path, api_key_env))
    cfg = LLMConfig(model=cfg_model, base_url=pick(base_url, "OPENAI_BASE_URL", "base_url"),
                    api_key=pick(None, api_key_env, "api_key"))
    for key in ("timeout_s", "max_retries", "max_tokens", "temperature"):
        if key in file:
            setattr(cfg, key, file[key])
    return cfg


_OPENAI_URL = "https://api.openai.com/v1"
_KEYLIKE = re.compile(r"\b(sk|key|api)[-_][A-Za-z0-9_\-*]{6,}")


class LLMClient:
    def __init__(self, cfg: LLMConfig):
        self.cfg = cfg
        # base_url is always passed: left as None, the openai package would
        # read OPENAI_BASE_URL itself and bypass resolve_config's precedence.
        # Local servers need some key string, hence "EMPTY".
        self._client = openai.OpenAI(api_key=cfg.api_key or "EMPTY", base_url=cfg.base_url or _OPENAI_URL,
                                     timeout=cfg.timeout_s, max_retries=cfg.max_retries)
        self._stream_options_ok = True  # cleared once a server rejects stream_options

    @property
    def base_url(self) -> str:
        return self.cfg.base_url or _OPENAI_URL

    def chat(self, messages: list[dict], on_delta: Callable[[str], None] | None = None) -> Reply:
        """Send `messages`, stream the reply (feeding `on_delta` each text piece)."""
        t0 = time.monotonic()
        try:
            try:
                return self._chat(messages, on_delta, t0, self._stream_options_ok)
            except openai.BadRequestError:
                if not self._stream_options_ok:
                    raise
                # Some servers (older vLLM, llama.cpp builds, proxies) reject
                # stream_options with a 400.  A 400 arrives before any token,
                # so retrying once without it cannot duplicate output.
                reply = self._chat(messages, on_delta, t0, False)
                self._stream_options_ok = False
                return reply
        except LLMError:
            raise
        except Exception as e:  # noqa: BLE001 - everything becomes a readable LLMError
            raise self._map_error(e) from None

    def _chat(self, messages, on_delta, t0: float, stream_options: bool) -> Reply:
        kwargs: dict = {"model": self.cfg.model, "messages": messages, "stream": True}
        if stream_options:
            kwargs["stream_options"] = {"include_usage": True}
        if self.cfg.max_tokens is not None:
            kwargs["max_tokens"] = self.cfg.max_tokens
        if self.cfg.temperature is not None:
            kwargs["temperature"] = self.cfg.temperature
        stream = self._client.chat.completions.create(**kwargs)
        pieces: list[str] = []
        finish, usage, model = None, None, None
        try:
            for chunk in stream:
                model = getattr(chunk, "model", None) or model
                if getattr(chunk, "usage", None) is not None:
                    usage = chunk.usage
                for choice in chunk.choices or []:
                    piece = choice.delta.content if choice.delta else None
                    if piece:
                        pieces.append(piece)
                        if on_delta is not None:
                            on_delta(piece)
                    if choice.finish_reason:
                        finish = choice.finish_reason
        finally:
            stream.close()
        text = "".join(pieces)
        if usage is not None and usage.completion_tokens is not None:
            prompt_t, completion_t, estimated = usage.prompt_tokens or 0, usage.completion_tokens, False
        else:
            # ~4 characters per token: good enough for budget accounting, and flagged.
            prompt_chars = sum(len(m.get("content") or "") if isinstance(m.get("content"), str)
                               else len(str(m.get("content"))) for m in messages)
            prompt_t, completion_t, estimated = prompt_chars // 4, len(text) // 4, True
        return Reply(text=text, finish_reason=finish or "unknown", prompt_tokens=prompt_t,
                     completion_tokens=completion_t, model=model or self.cfg.model,
                     elapsed_s=time.monotonic() - t0, usage_estimated=estimated)

    def _scrub(self, msg: str) -> str:
        key = self.cfg.api_key
        if key and len(key) >= 6:  # a 1-letter dummy key would blank every such letter
            msg = msg.replace(key, "***")
        msg = _KEYLIKE.sub(lambda m: m.group(0)[:3] + "***", msg)
        msg = " ".join(msg.split())  # one line, whatever the server sent
        return msg[:300] + ("..." if len(msg) > 300 else "")

    def _server_says(self, e: Exception) -> str:
        body = getattr(e, "body", None)
        if isinstance(body, dict):
            detail = body.get("error", body)
            msg = detail.get("message") if isinstance(detail, dict) else detail
            if msg:
                return self._scrub(str(msg))
        return self._scrub(getattr(e, "message", None) or str(e) or type(e).__name__)

    def _map_error(self, e: Exception) -> LLMError:
        where = f"{self.base_url} (model {self.cfg.model})"
        status = getattr(e, "status_code", None)
        n = self.cfg.max_retries
        retries = f" after {n} {'retry' if n == 1 else 'retries'}" if n else ""
        if isinstance(e, (openai.AuthenticationError, openai.PermissionDeniedError)):
            hint = ("no API key is set; set OPENAI_API_KEY or api_key in the [llm] section of the config file"
                    if not self.cfg.api_key else "check the API key and that it may use this model")
            return LLMError("auth", f"{where} refused the credentials (HTTP {status}: "
                                    f"{self._server_says(e)}); {hint}.", status)
        if isinstance(e, openai.RateLimitError):
            return LLMError("rate_limit", f"{where} kept rate-limiting the request{retries} "
                                          f"(HTTP 429: {self._server_says(e)}); wait and try again.", status)
        # APITimeoutError subclasses APIConnectionError: test it first.
        if isinstance(e, openai.APITimeoutError) or _is_transport(e, "Timeout"):
            return LLMError("timeout", f"{where} did not answer within {self.cfg.timeout_s:g}s{retries}; "
                                       f"raise the timeout or check that the server is not overloaded.")
        if isinstance(e, openai.APIConnectionError) or _is_transport(e, ""):
            cause = e.__cause__ or e.__context__ or e
            return LLMError("connection", f"could not connect to {where}{retries}: "
                                          f"{self._scrub(str(cause) or type(cause).__name__)}; "
                                          f"check --base-url / OPENAI_BASE_URL and that the server is running.")
        if isinstance(e, openai.APIStatusError) and (status or 0) >= 500 or isinstance(e, openai.InternalServerError):
            return LLMError("server", f"{where} failed with HTTP {status}{retries}: {self._server_says(e)}.", status)
        if isinstance(e, openai.APIStatusError):
            return LLMError("bad_request", f"{where} rejected the request with HTTP {status}: "
                                           f"{self._server_says(e)}.", status)
        if isinstance(e, openai.APIError):
            # An error event inside the stream, or a malformed response body.
            return LLMError("server", f"{where} sent a broken or error response: {self._server_says(e)}.")
        raise e  # a bug of ours (or in on_delta): do not disguise it as an LLM failure


def _is_transport(e: Exception, name_part: str) -> bool:
    """An httpx-family error raised mid-stream, where openai does not wrap it."""
    mod = type(e).__module__ or ""
    return mod.split(".")[0] in ("httpx", "httpx2", "httpcore") and name_part in type(e).__name__
