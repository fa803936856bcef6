"""A real Chat Completions server on 127.0.0.1 for the LLM tests.

Each test scripts it with a function that sees the request body and its
number, and returns what to answer. It records every request and the most
requests it ever had in flight at once. It can also misbehave as a hostile
server would: drip its answer one byte at a time (headers included), answer
with raw text, or redirect.
"""
from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Dict, List, Optional, Type, TypeVar


@dataclass
class Reply:
    status: int = 200
    content: Optional[str] = None  # the assistant message's content
    body: Optional[Dict[str, Any]] = None  # a whole JSON body instead
    headers: Dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    tokens: int = 30
    text: Optional[str] = None  # a raw (non-JSON) body instead
    drip: float = 0.0  # seconds between single bytes of the response
    drip_headers: bool = True  # drip the status line and headers too, or only the body


Script = Callable[[Dict[str, Any], int], Reply]


def completion(content: str, tokens: int = 30) -> Dict[str, Any]:
    return {
        "id": "chatcmpl-test", "object": "chat.completion", "created": 0, "model": "test-model",
        "choices": [{"index": 0, "finish_reason": "stop",
                     "message": {"role": "assistant", "content": content}}],
        "usage": {"prompt_tokens": tokens - 10, "completion_tokens": 10, "total_tokens": tokens},
    }


Self = TypeVar("Self", bound="LocalServer")


class LocalServer:
    """A threaded HTTP server on 127.0.0.1, started and stopped as a context manager.

    `stop` is set on close, so a handler waiting on it (a delay, a drip) ends.
    """

    def __init__(self) -> None:
        self.stop = threading.Event()

    def _listen(self, handler: Type[BaseHTTPRequestHandler]) -> None:
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"

    def __enter__(self: Self) -> Self:
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop.set()
        self.httpd.shutdown()
        self.httpd.server_close()


def drip(handler: BaseHTTPRequestHandler, whole: bytes, first: int, interval: float,
         stop: threading.Event) -> None:
    """Write `whole[:first]` at once, then the rest one byte every `interval` seconds.

    Ends early when the client gives up or `stop` is set; otherwise closes the connection.
    """
    try:
        handler.wfile.write(whole[:first])
        handler.wfile.flush()
    except OSError:
        return
    for i in range(first, len(whole)):
        try:
            handler.wfile.write(whole[i:i + 1])
            handler.wfile.flush()
        except OSError:
            return  # the client gave up
        if stop.wait(interval):
            return
    handler.close_connection = True


class ChatServer(LocalServer):
    def __init__(self, script: Script) -> None:
        super().__init__()
        self.script = script
        self.requests: List[Dict[str, Any]] = []
        self.paths: List[str] = []
        self.times: List[float] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802 (the http.server API)
                length = int(self.headers.get("Content-Length", "0"))
                body = json.loads(self.rfile.read(length) or b"{}")
                with server._lock:
                    server.requests.append(body)
                    server.paths.append(self.path)
                    server.times.append(time.monotonic())
                    n = len(server.requests)
                    server.in_flight += 1
                    server.max_in_flight = max(server.max_in_flight, server.in_flight)
                try:
                    reply = server.script(body, n)
                    if reply.delay and server.stop.wait(reply.delay):
                        return
                    if reply.text is not None:
                        data, kind = reply.text.encode(), "text/plain"
                    else:
                        payload = reply.body if reply.body is not None else (
                            completion(reply.content or "", reply.tokens) if reply.status == 200
                            else {"error": {"message": reply.content or "error", "type": "test"}})
                        data, kind = json.dumps(payload).encode(), "application/json"
                    if reply.drip:
                        self._drip(reply, data, kind)
                        return
                    self.send_response(reply.status)
                    self.send_header("Content-Type", kind)
                    self.send_header("Content-Length", str(len(data)))
                    for k, v in reply.headers.items():
                        self.send_header(k, v)
                    self.end_headers()
                    try:
                        self.wfile.write(data)
                    except (BrokenPipeError, ConnectionResetError):
                        pass
                finally:
                    with server._lock:
                        server.in_flight -= 1

            def _drip(self, reply: Reply, data: bytes, kind: str) -> None:
                head = (f"HTTP/1.1 {reply.status} OK\r\nContent-Type: {kind}\r\n"
                        f"Content-Length: {len(data)}\r\n\r\n").encode()
                first = 0 if reply.drip_headers else len(head)
                drip(self, head + data, first, reply.drip, server.stop)

        self._listen(Handler)
