"""A scripted OpenAI-compatible server for tests (a helper, not a test file).

CI has no network, so the LLM path is exercised through the real `openai`
client against this server on 127.0.0.1.  Each POST /v1/chat/completions
consumes one step of the script:

    {"content": "...", "finish_reason": "stop", "status": 200, "delay": 0.0,
     "usage": True, "chunks": 5, "chunk_delay": 0.0,
     "prompt_tokens": None, "completion_tokens": None,   # usage numbers (defaults: chars // 3 + 1)
     "message": None, "error_type": None}                 # for non-200 steps

or a callable(request_json) -> such a dict.  When the script runs out the
`default` step (or else the last step) repeats.

Usage:
    with ScriptedServer([{"status": 429}, {"content": "hi"}]) as srv:
        client = openai.OpenAI(base_url=srv.url, api_key="k")
        ...
        assert len(srv.requests) == 2
"""
from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Step = Any  # a step dict, or callable(request_json) -> step dict

_ERROR_TYPES = {400: "invalid_request_error", 401: "authentication_error", 403: "permission_error",
                404: "not_found_error", 429: "rate_limit_exceeded", 500: "server_error",
                502: "bad_gateway", 503: "service_unavailable"}


class Headers(dict):
    """The request headers as sent, looked up case-insensitively (HTTP semantics)."""

    def _find(self, key: str):
        for k in dict.keys(self):
            if k.lower() == key.lower():
                return k
        return None

    def __getitem__(self, key: str) -> str:
        k = self._find(key)
        if k is None:
            raise KeyError(key)
        return dict.__getitem__(self, k)

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self._find(key) is not None

    def get(self, key: str, default=None):
        k = self._find(key)
        return default if k is None else dict.__getitem__(self, k)


class ScriptedServer:
    def __init__(self, script: list | None = None, default: Step | None = None):
        self.script = list(script or [])
        self.default = default
        self.requests: list[dict] = []
        self._lock = threading.Lock()
        self._served = 0
        # Set on close: wakes handlers sleeping in `delay`, so shutdown never
        # waits for a reply the client already gave up on.
        self._closing = threading.Event()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle -------------------------------------------------------------
    def start(self) -> "ScriptedServer":
        handler = type("Handler", (_Handler,), {"server_ref": self})
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="ScriptedServer", daemon=True)
        self._thread.start()
        return self

    def close(self) -> None:
        if self._httpd is None:
            return
        self._closing.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)
        self._httpd = None

    def __enter__(self) -> "ScriptedServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.close()

    @property
    def port(self) -> int:
        assert self._httpd is not None, "server not started"
        return self._httpd.server_address[1]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    # -- script ----------------------------------------------------------------
    def _next_step(self, body: dict) -> dict:
        with self._lock:
            i = self._served
            self._served += 1
        if i < len(self.script):
            step = self.script[i]
        elif self.default is not None:
            step = self.default
        elif self.script:
            step = self.script[-1]
        else:
            step = {"content": ""}
        if callable(step):
            step = step(body)
        return dict(step)


class _Handler(BaseHTTPRequestHandler):
    server_ref: ScriptedServer  # set on the per-server subclass
    # HTTP/1.0: each response closes its connection, which delimits SSE
    # streams without chunked encoding and leaves no idle keep-alive sockets.
    protocol_version = "HTTP/1.0"

    def log_message(self, *args) -> None:  # keep pytest output clean
        pass

    def _send_json(self, status: int, obj: dict, headers: dict | None = None) -> None:
        data = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        if self.path.rstrip("/") == "/v1/models":
            self._send_json(200, {"object": "list", "data": [
                {"id": "scripted-model", "object": "model", "created": 0, "owned_by": "kopt-tests"}]})
        else:
            self._send_json(404, {"error": {"message": f"no route {self.path}", "type": "not_found_error"}})

    def do_POST(self) -> None:
        srv = self.server_ref
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw or b"{}")
        except json.JSONDecodeError:
            body = {"_raw": raw.decode("utf-8", "replace")}
        with srv._lock:
            srv.requests.append({"json": body, "headers": Headers(self.headers.items()), "path": self.path})
        if self.path.rstrip("/") != "/v1/chat/completions":
            self._send_json(404, {"error": {"message": f"no route {self.path}", "type": "not_found_error"}})
            return
        step = srv._next_step(body)
        try:
            if step.get("delay"):
                if srv._closing.wait(step["delay"]):
                    return
            status = int(step.get("status", 200))
            if status != 200:
                self._send_error(status, step)
            elif body.get("stream"):
                self._send_stream(body, step)
            else:
                self._send_json(200, _completion(body, step))
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (timeout test); nothing to answer

    def _send_error(self, status: int, step: dict) -> None:
        err = {"message": step.get("message") or f"scripted error {status}",
               "type": step.get("error_type") or _ERROR_TYPES.get(status, "api_error"),
               "param": None, "code": step.get("code")}
        # retry-after-ms keeps the client's retries (429/5xx) fast in tests.
        self._send_json(status, {"error": err}, {"retry-after-ms": "10"})

    def _send_stream(self, body: dict, step: dict) -> None:
        srv = self.server_ref
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.end_headers()
        model = body.get("model", "scripted-model")
        want_usage = bool((body.get("stream_options") or {}).get("include_usage"))

        def emit(choices: list, usage: dict | None = None) -> None:
            chunk = {"id": "chatcmpl-scripted", "object": "chat.completion.chunk", "created": int(time.time()),
                     "model": model, "choices": choices}
            if want_usage:
                chunk["usage"] = usage  # OpenAI sends null on every chunk but the last
            self.wfile.write(b"data: " + json.dumps(chunk).encode() + b"\n\n")
            self.wfile.flush()

        pieces = _split(step.get("content", ""), int(step.get("chunks", 5)))
        for n, piece in enumerate(pieces):
            if n and step.get("chunk_delay"):
                if srv._closing.wait(step["chunk_delay"]):
                    return
            delta = {"content": piece}
            if n == 0:
                delta["role"] = "assistant"
            emit([{"index": 0, "delta": delta, "finish_reason": None}])
        emit([{"index": 0, "delta": {}, "finish_reason": step.get("finish_reason", "stop")}])
        if want_usage and step.get("usage", True):
            emit([], _usage(body, step))
        self.wfile.write(b"data: [DONE]\n\n")
        self.wfile.flush()


def _split(text: str, n: int) -> list[str]:
    if not text:
        return []
    n = max(1, min(n, len(text)))
    size = -(-len(text) // n)
    return [text[i:i + size] for i in range(0, len(text), size)]


def _usage(body: dict, step: dict) -> dict:
    # Defaults use chars // 3 + 1, deliberately unlike the client's len // 4
    # estimate, so tests can tell reported usage from estimated usage.
    chars = sum(len(str(m.get("content") or "")) for m in body.get("messages", []))
    p = step.get("prompt_tokens")
    c = step.get("completion_tokens")
    p = chars // 3 + 1 if p is None else p
    c = len(step.get("content", "")) // 3 + 1 if c is None else c
    return {"prompt_tokens": p, "completion_tokens": c, "total_tokens": p + c}


def _completion(body: dict, step: dict) -> dict:
    obj = {"id": "chatcmpl-scripted", "object": "chat.completion", "created": int(time.time()),
           "model": body.get("model", "scripted-model"),
           "choices": [{"index": 0, "message": {"role": "assistant", "content": step.get("content", "")},
                        "finish_reason": step.get("finish_reason", "stop")}]}
    if step.get("usage", True):
        obj["usage"] = _usage(body, step)
    return obj
