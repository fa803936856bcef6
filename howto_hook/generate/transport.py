"""The HTTP client under the openai client: deadlines, cancellation, no cross-origin POSTs.

httpx times each socket operation, so a server that sends one byte a
second never trips a 5 s timeout. Here every read, write and connect of a
request is bounded by the time left before that request's deadline (set
per thread by `Clock.until`), and is cut into short slices so that a
cancelled run (Ctrl-C) stops waiting within a fraction of a second. A
response that redirects a request with a body (a POST of the source) to
another origin is refused before anything is sent there.

Imported only on the LLM path, after `openai`; it finds the httpx package
that openai itself uses (httpx or httpx2) through `openai.DefaultHttpxClient`.
"""
from __future__ import annotations

import importlib
import threading
import time
import urllib.request
from contextlib import contextmanager
from types import ModuleType
from typing import Any, Iterator, Optional, Tuple
from urllib.parse import urlsplit

SLICE = 0.2  # seconds one socket wait lasts before the cancel flag is looked at again


class Cancelled(Exception):
    """The run was interrupted; the request stops where it stands."""


class CrossOriginRedirect(Exception):
    """The server redirected a request that carries a body to another origin."""

    def __init__(self, target: str) -> None:
        super().__init__(f"the server redirected the request to another origin ({target}); "
                         "not followed, so the source was not sent there")
        self.target = target


class Clock:
    """Per-thread request deadlines and one cancel flag for every thread."""

    def __init__(self) -> None:
        self.cancelled = threading.Event()
        self._local = threading.local()

    @contextmanager
    def until(self, deadline: float) -> Iterator[None]:
        """Every socket operation of this thread ends by `deadline` (time.monotonic)."""
        self._local.deadline = deadline
        try:
            yield
        finally:
            self._local.deadline = None

    def left(self) -> Optional[float]:
        """Seconds left for this thread's request (None: no deadline); raises when cancelled."""
        if self.cancelled.is_set():
            raise Cancelled()
        deadline = getattr(self._local, "deadline", None)
        return None if deadline is None else deadline - time.monotonic()

    def sleep(self, seconds: float) -> None:
        """Sleep that a cancel ends at once."""
        if self.cancelled.wait(max(0.0, seconds)):
            raise Cancelled()


def modules() -> Tuple[ModuleType, ModuleType]:
    """(httpx, httpcore) as openai uses them: httpx2/httpcore2 or httpx/httpcore."""
    import openai

    base = next(c for c in openai.DefaultHttpxClient.__mro__ if c.__name__ == "Client")
    httpx = importlib.import_module(base.__module__.split(".")[0])
    core = "httpcore2" if httpx.__name__ == "httpx2" else "httpcore"
    return httpx, importlib.import_module(core)


def _bounded(timeout: Optional[float], left: Optional[float]) -> Optional[float]:
    values = [t for t in (timeout, left) if t is not None]
    return min(values) if values else None


class _Stream:
    """A network stream whose waits end at the thread's deadline or on cancel."""

    def __init__(self, inner: Any, clock: Clock, core: ModuleType) -> None:
        self._inner = inner
        self._clock = clock
        self._core = core

    def read(self, max_bytes: int, timeout: Optional[float] = None) -> bytes:
        started = time.monotonic()
        while True:
            left = self._clock.left()
            if left is not None and left <= 0:
                raise self._core.ReadTimeout("the request's deadline passed")
            wait = _bounded(_bounded(timeout, left), SLICE)
            try:
                return self._inner.read(max_bytes, wait)
            except self._core.ReadTimeout:
                # nothing was consumed: wait again unless the caller's own timeout is spent
                if timeout is not None and time.monotonic() - started >= timeout:
                    raise

    def write(self, buffer: bytes, timeout: Optional[float] = None) -> None:
        left = self._clock.left()
        if left is not None and left <= 0:
            raise self._core.WriteTimeout("the request's deadline passed")
        self._inner.write(buffer, _bounded(timeout, left))

    def close(self) -> None:
        self._inner.close()

    def start_tls(self, ssl_context: Any, server_hostname: Optional[str] = None,
                  timeout: Optional[float] = None) -> "_Stream":
        inner = self._inner.start_tls(ssl_context, server_hostname,
                                      _bounded(timeout, self._clock.left()))
        return _Stream(inner, self._clock, self._core)

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class _Backend:
    """Opens connections through the real backend and wraps their streams."""

    def __init__(self, inner: Any, clock: Clock, core: ModuleType) -> None:
        self._inner = inner
        self._clock = clock
        self._core = core

    def connect_tcp(self, host: str, port: int, timeout: Optional[float] = None,
                    local_address: Optional[str] = None, socket_options: Any = None) -> _Stream:
        left = self._clock.left()
        if left is not None and left <= 0:
            raise self._core.ConnectTimeout("the request's deadline passed")
        stream = self._inner.connect_tcp(host, port, _bounded(timeout, left), local_address,
                                         socket_options)
        return _Stream(stream, self._clock, self._core)

    def connect_unix_socket(self, path: str, timeout: Optional[float] = None,
                            socket_options: Any = None) -> _Stream:
        stream = self._inner.connect_unix_socket(path, _bounded(timeout, self._clock.left()),
                                                 socket_options)
        return _Stream(stream, self._clock, self._core)

    def sleep(self, seconds: float) -> None:
        self._clock.sleep(seconds)


def _origin(url: str) -> Tuple[str, str, Optional[int]]:
    parts = urlsplit(url)
    default = {"http": 80, "https": 443}.get(parts.scheme)
    return parts.scheme, (parts.hostname or "").lower(), parts.port or default


def _proxy_for(base_url: str) -> Optional[str]:
    """The proxy the environment names for base_url, as httpx would pick it (None: direct)."""
    parts = urlsplit(base_url)
    if parts.hostname and urllib.request.proxy_bypass(parts.hostname):
        return None
    proxies = urllib.request.getproxies()
    return proxies.get(parts.scheme) or proxies.get("all")


def http_client(base_url: str, clock: Clock) -> Any:
    """An httpx client for openai.OpenAI(http_client=...) with the guards above."""
    import openai

    httpx, core = modules()
    home = _origin(base_url)

    def refuse_cross_origin(response: Any) -> None:
        request = response.request
        location = response.headers.get("location")
        if not response.is_redirect or not location or request.method in ("GET", "HEAD"):
            return
        target = str(request.url.join(location))
        if _origin(target) != home:
            raise CrossOriginRedirect(target)

    transport = httpx.HTTPTransport(proxy=_proxy_for(base_url))
    pool = getattr(transport, "_pool", None)
    if pool is not None and hasattr(pool, "_network_backend"):
        # httpx builds its pool without a backend argument; the pool's backend is
        # where every socket wait happens, so the deadline is enforced there.
        pool._network_backend = _Backend(pool._network_backend, clock, core)
    return openai.DefaultHttpxClient(transport=transport,
                                     event_hooks={"response": [refuse_cross_origin]})
