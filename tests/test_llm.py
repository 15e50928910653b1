"""The LLM client through the real `openai` package against a scripted local server (no mocks)."""
from __future__ import annotations

import socket
import time

import openai
import pytest

from kopt.agent.llm import LLMClient, LLMConfig, LLMError, Reply, resolve_config
from llm_server import ScriptedServer

KEY = "sk-test-SECRET-0123456789abcdef"


def client_for(srv: ScriptedServer, **kw) -> LLMClient:
    kw.setdefault("max_retries", 3)
    kw.setdefault("timeout_s", 10.0)
    return LLMClient(LLMConfig(model="scripted-model", base_url=srv.url, api_key=KEY, **kw))


MSGS = [{"role": "system", "content": "You write kernels."}, {"role": "user", "content": "Optimize relu."}]


def assert_no_key(err: LLMError) -> None:
    for text in (str(err), repr(err), *map(str, err.args)):
        assert KEY not in text
        assert "SECRET" not in text


# -- streaming ----------------------------------------------------------------

def test_streaming_reply_assembled_with_usage():
    content = "```python\nclass ModelNew:\n    pass\n```\nDone."
    with ScriptedServer([{"content": content, "chunks": 7, "prompt_tokens": 42, "completion_tokens": 13}]) as srv:
        pieces: list[str] = []
        reply = client_for(srv).chat(MSGS, on_delta=pieces.append)
        req = srv.requests[0]["json"]
    assert isinstance(reply, Reply)
    assert reply.text == content
    assert len(pieces) == 7 and "".join(pieces) == content
    assert (reply.prompt_tokens, reply.completion_tokens, reply.usage_estimated) == (42, 13, False)
    assert reply.finish_reason == "stop"
    assert reply.model == "scripted-model"
    assert 0 <= reply.elapsed_s < 5
    assert req["stream"] is True and req["stream_options"] == {"include_usage": True}
    assert req["messages"] == MSGS and req["model"] == "scripted-model"
    # Unset sampling options are not sent at all (local servers differ in defaults).
    assert "max_tokens" not in req and "temperature" not in req


def test_usage_estimated_when_server_sends_none():
    content = "x" * 103
    with ScriptedServer([{"content": content, "usage": False}]) as srv:
        reply = client_for(srv).chat(MSGS)
    assert reply.text == content
    assert reply.usage_estimated is True
    assert reply.completion_tokens == 103 // 4
    assert reply.prompt_tokens == sum(len(m["content"]) for m in MSGS) // 4


def test_max_tokens_and_temperature_sent_when_set():
    with ScriptedServer([{"content": "ok"}]) as srv:
        client_for(srv, max_tokens=77, temperature=0.25).chat(MSGS)
        req = srv.requests[0]["json"]
    assert req["max_tokens"] == 77 and req["temperature"] == 0.25


def test_finish_reason_length_reported():
    with ScriptedServer([{"content": "```python\nclass ModelNew", "finish_reason": "length"}]) as srv:
        reply = client_for(srv).chat(MSGS)
    assert reply.finish_reason == "length"
    assert reply.text == "```python\nclass ModelNew"


def test_stream_options_rejected_then_retried_without_it():
    def step(body: dict) -> dict:
        if "stream_options" in body:
            return {"status": 400, "message": "Unrecognized request argument supplied: stream_options"}
        return {"content": "hello there"}

    with ScriptedServer([step]) as srv:
        client = client_for(srv)
        reply = client.chat(MSGS)
        assert reply.text == "hello there" and reply.usage_estimated is True
        assert [("stream_options" in r["json"]) for r in srv.requests] == [True, False]
        # The client remembers: the next call does not pay for the rejected request again.
        client.chat(MSGS)
        assert len(srv.requests) == 3 and "stream_options" not in srv.requests[2]["json"]


def test_bad_request_reported_after_one_retry():
    with ScriptedServer([{"status": 400, "message": "maximum context length is 8192 tokens"}]) as srv:
        with pytest.raises(LLMError) as ei:
            client_for(srv).chat(MSGS)
        assert len(srv.requests) == 2  # with and without stream_options, never more
    assert ei.value.kind == "bad_request" and ei.value.status == 400
    assert "maximum context length" in str(ei.value)


# -- retries and errors ---------------------------------------------------------

def test_429_then_success_is_retried():
    with ScriptedServer([{"status": 429, "message": "slow down"}, {"content": "ok"}]) as srv:
        t = time.monotonic()
        reply = client_for(srv).chat(MSGS)
        assert len(srv.requests) == 2
    assert reply.text == "ok"
    assert time.monotonic() - t < 3  # retry-after-ms: 10 honoured, not the default backoff


def test_500_500_then_success_is_retried():
    with ScriptedServer([{"status": 500}, {"status": 500}, {"content": "third time"}]) as srv:
        reply = client_for(srv).chat(MSGS)
        assert len(srv.requests) == 3
    assert reply.text == "third time"


def test_endless_500_gives_server_error_quickly():
    with ScriptedServer([{"status": 500, "message": "engine crashed"}]) as srv:
        t = time.monotonic()
        with pytest.raises(LLMError) as ei:
            client_for(srv, max_retries=1).chat(MSGS)
        assert len(srv.requests) == 2
    assert time.monotonic() - t < 3
    assert ei.value.kind == "server" and ei.value.status == 500
    assert "engine crashed" in str(ei.value) and "HTTP 500" in str(ei.value)


def test_endless_429_gives_rate_limit():
    with ScriptedServer([{"status": 429}]) as srv:
        with pytest.raises(LLMError) as ei:
            client_for(srv, max_retries=1).chat(MSGS)
        assert len(srv.requests) == 2
    assert ei.value.kind == "rate_limit"


def test_401_is_auth_and_never_retried_and_key_scrubbed():
    # Servers sometimes echo the key back; it must not reach our message.
    echo = {"status": 401, "message": f"Incorrect API key provided: {KEY}."}
    with ScriptedServer([echo]) as srv:
        with pytest.raises(LLMError) as ei:
            client_for(srv).chat(MSGS)
        assert len(srv.requests) == 1
        assert srv.requests[0]["headers"]["authorization"] == f"Bearer {KEY}"
    assert ei.value.kind == "auth"
    assert "401" in str(ei.value) and "Incorrect API key" in str(ei.value)
    assert_no_key(ei.value)


def test_403_is_auth():
    with ScriptedServer([{"status": 403}]) as srv:
        with pytest.raises(LLMError) as ei:
            client_for(srv).chat(MSGS)
    assert ei.value.kind == "auth"


def test_missing_key_sends_placeholder_and_auth_error_says_how_to_set_it():
    with ScriptedServer([{"status": 401}]) as srv:
        client = LLMClient(LLMConfig(model="m", base_url=srv.url, max_retries=0))
        with pytest.raises(LLMError) as ei:
            client.chat(MSGS)
        assert srv.requests[0]["headers"]["Authorization"] == "Bearer EMPTY"
    assert "OPENAI_API_KEY" in str(ei.value)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_connection_refused_is_connection_error():
    cfg = LLMConfig(model="m", base_url=f"http://127.0.0.1:{free_port()}/v1", api_key=KEY, max_retries=0)
    with pytest.raises(LLMError) as ei:
        LLMClient(cfg).chat(MSGS)
    assert ei.value.kind == "connection"
    assert "127.0.0.1" in str(ei.value) and "OPENAI_BASE_URL" in str(ei.value)
    assert_no_key(ei.value)


def test_delayed_reply_is_timeout():
    with ScriptedServer([{"content": "late", "delay": 5.0}]) as srv:
        t = time.monotonic()
        with pytest.raises(LLMError) as ei:
            client_for(srv, timeout_s=0.5, max_retries=0).chat(MSGS)
        assert time.monotonic() - t < 3
    assert ei.value.kind == "timeout" and "0.5s" in str(ei.value)
    assert_no_key(ei.value)


def test_stall_mid_stream_is_timeout():
    # The first tokens arrive, then the server goes silent: a read timeout
    # raised while iterating, outside openai's own error wrapping.
    seen: list[str] = []
    with ScriptedServer([{"content": "abcdef", "chunks": 3, "chunk_delay": 3.0}]) as srv:
        with pytest.raises(LLMError) as ei:
            client_for(srv, timeout_s=0.5, max_retries=0).chat(MSGS, on_delta=seen.append)
    assert ei.value.kind == "timeout"
    assert seen == ["ab"]


def test_config_repr_hides_key():
    cfg = LLMConfig(model="m", base_url="http://x/v1", api_key=KEY)
    assert KEY not in repr(cfg) and KEY not in str(cfg)
    assert "api_key" not in repr(cfg)


# -- the helper server itself -----------------------------------------------------

def test_server_non_stream_models_and_shutdown():
    with ScriptedServer([{"content": "plain", "prompt_tokens": 5, "completion_tokens": 2}]) as srv:
        raw = openai.OpenAI(base_url=srv.url, api_key="k", max_retries=0)
        r = raw.chat.completions.create(model="m", messages=MSGS)
        assert r.choices[0].message.content == "plain" and r.usage.completion_tokens == 2
        assert [m.id for m in raw.models.list()] == ["scripted-model"]
        port = srv.port
    with socket.socket() as s, pytest.raises(OSError):
        s.settimeout(1)
        s.connect(("127.0.0.1", port))


# -- resolve_config -----------------------------------------------------------

def write_cfg(tmp_path, text: str):
    p = tmp_path / "config.toml"
    p.write_text(text)
    return p


FILE = '[llm]\nmodel = "file-model"\nbase_url = "http://file/v1"\napi_key = "file-key"\nmax_tokens = 900\n'


def test_config_file_alone(tmp_path):
    cfg = resolve_config(config_path=write_cfg(tmp_path, FILE), env={})
    assert (cfg.model, cfg.base_url, cfg.api_key, cfg.max_tokens) == ("file-model", "http://file/v1", "file-key", 900)


def test_env_beats_file(tmp_path):
    env = {"KOPT_MODEL": "env-model", "OPENAI_BASE_URL": "http://env/v1", "OPENAI_API_KEY": "env-key"}
    cfg = resolve_config(config_path=write_cfg(tmp_path, FILE), env=env)
    assert (cfg.model, cfg.base_url, cfg.api_key) == ("env-model", "http://env/v1", "env-key")


def test_args_beat_env_and_file(tmp_path):
    env = {"KOPT_MODEL": "env-model", "OPENAI_BASE_URL": "http://env/v1", "OPENAI_API_KEY": "env-key"}
    cfg = resolve_config(model="arg-model", base_url="http://arg/v1",
                         config_path=write_cfg(tmp_path, FILE), env=env)
    assert (cfg.model, cfg.base_url, cfg.api_key) == ("arg-model", "http://arg/v1", "env-key")


def test_empty_env_vars_count_as_unset_and_custom_key_env(tmp_path):
    env = {"KOPT_MODEL": "", "OPENAI_BASE_URL": "", "MY_KEY": "mine"}
    cfg = resolve_config(config_path=write_cfg(tmp_path, FILE), env=env, api_key_env="MY_KEY")
    assert (cfg.model, cfg.base_url, cfg.api_key) == ("file-model", "http://file/v1", "mine")


def test_missing_file_is_fine(tmp_path):
    cfg = resolve_config(model="m", config_path=tmp_path / "nope.toml", env={})
    assert (cfg.model, cfg.base_url, cfg.api_key) == ("m", None, None)


def test_missing_model_says_how_to_configure(tmp_path):
    path = tmp_path / "nope.toml"
    with pytest.raises(LLMError) as ei:
        resolve_config(config_path=path, env={"OPENAI_API_KEY": KEY})
    msg = str(ei.value)
    assert ei.value.kind == "config"
    for needle in ("--model", "--base-url", "OPENAI_BASE_URL", "KOPT_MODEL", "OPENAI_API_KEY", str(path), "[llm]"):
        assert needle in msg, needle
    assert_no_key(ei.value)


def test_malformed_toml_is_config_error(tmp_path):
    path = write_cfg(tmp_path, '[llm]\nmodel = "unterminated\n')
    with pytest.raises(LLMError) as ei:
        resolve_config(config_path=path, env={})
    assert ei.value.kind == "config" and str(path) in str(ei.value) and "TOML" in str(ei.value)


def test_unknown_or_mistyped_key_is_config_error(tmp_path):
    with pytest.raises(LLMError, match="unknown key `modle`"):
        resolve_config(config_path=write_cfg(tmp_path, '[llm]\nmodle = "x"\n'), env={})
    with pytest.raises(LLMError, match="wrong type"):
        resolve_config(config_path=write_cfg(tmp_path, '[llm]\nmodel = 3\n'), env={})


def test_default_config_path_follows_xdg(tmp_path):
    (tmp_path / "kopt").mkdir()
    (tmp_path / "kopt" / "config.toml").write_text('[llm]\nmodel = "xdg-model"\n')
    cfg = resolve_config(env={"XDG_CONFIG_HOME": str(tmp_path)})
    assert cfg.model == "xdg-model"
