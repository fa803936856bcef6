"""A real Batch API server on 127.0.0.1: the files and batches endpoints the openai client uses.

    POST /v1/files                 multipart upload (purpose, file)
    POST /v1/batches               create a batch from an uploaded file
    GET  /v1/batches/{id}          retrieve it; each retrieve moves it one step
                                   along the script's statuses
    GET  /v1/files/{id}/content    an uploaded file, or an output or error file

When a batch reaches an ended status, its output and error files are made
from the input lines with the script's answer function, in the format the
provider writes. Everything asked is recorded, so a test can see that a
collect sends no chat completion.
"""
from __future__ import annotations

import email.parser
import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

from llm_server import LocalServer, completion, drip


@dataclass
class Script:
    answer: Callable[[Dict[str, Any]], str]  # a request body -> the assistant's content
    statuses: Sequence[str] = ("validating", "in_progress", "completed")
    # an input line -> the error message it fails with, or None
    failing: Callable[[Dict[str, Any]], Optional[str]] = lambda line: None
    expire_after: Optional[int] = None  # requests past this many expire unanswered
    errors: Sequence[Dict[str, Any]] = ()  # the batch's own errors (a failed validation)
    upload: Tuple[int, str] = (200, "")  # status and message for an upload
    retrieve: Tuple[int, str] = (200, "")
    batch_fields: Optional[Dict[str, Any]] = None  # the whole batch object instead
    output: Callable[[str], str] = lambda text: text  # e.g. to cut the output file short
    drip: float = 0.0  # seconds between single bytes of a retrieve's answer
    file_drip: float = 0.0  # seconds between single bytes of a file's content, after its headers


@dataclass
class _Batch:
    id: str
    input_file_id: str
    step: int = 0
    output_file_id: Optional[str] = None
    error_file_id: Optional[str] = None
    counts: Dict[str, int] = field(default_factory=lambda: {"total": 0, "completed": 0,
                                                            "failed": 0})


class BatchServer(LocalServer):
    def __init__(self, script: Script) -> None:
        super().__init__()
        self.script = script
        self.files: Dict[str, bytes] = {}
        self.uploads: List[Tuple[str, str]] = []  # (purpose, filename)
        self.batches: Dict[str, _Batch] = {}
        self.created: List[Dict[str, Any]] = []  # bodies of POST /v1/batches
        self.asked: List[Tuple[str, str]] = []  # (method, path) of every request
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def _send(self, status: int, payload: Any, raw: Optional[bytes] = None) -> None:
                data = raw if raw is not None else json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/octet-stream" if raw is not None
                                 else "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _error(self, status: int, message: str) -> None:
                self._send(status, {"error": {"message": message, "type": "test"}})

            def do_POST(self) -> None:  # noqa: N802 (the http.server API)
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                with server._lock:
                    server.asked.append(("POST", self.path))
                    if self.path == "/v1/files":
                        self._upload(body)
                    elif self.path == "/v1/batches":
                        self._create(json.loads(body))
                    else:
                        self._error(404, f"no route {self.path}")

            def do_GET(self) -> None:  # noqa: N802
                if server.script.drip and "/batches/" in self.path:
                    self._drip()
                    return
                with server._lock:
                    server.asked.append(("GET", self.path))
                    parts = self.path.strip("/").split("/")
                    content = (parts[:2] == ["v1", "files"] and len(parts) == 4
                               and parts[3] == "content" and parts[2] in server.files)
                    if parts[:2] == ["v1", "batches"] and len(parts) == 3:
                        self._retrieve(parts[2])
                    elif content and not server.script.file_drip:
                        self._send(200, None, raw=server.files[parts[2]])
                    elif not content:
                        self._error(404, f"no such object {self.path}")
                    if not (content and server.script.file_drip):
                        return
                    raw = server.files[parts[2]]
                # a slow file body, sent outside the lock so other requests go on
                head = (f"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n"
                        f"Content-Length: {len(raw)}\r\n\r\n").encode()
                drip(self, head + raw, len(head), server.script.file_drip, server.stop)

            def _drip(self) -> None:
                data = json.dumps({"id": "batch_1", "status": "completed"}).encode()
                whole = (f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                         f"Content-Length: {len(data)}\r\n\r\n").encode() + data
                drip(self, whole, 0, server.script.drip, server.stop)

            def _upload(self, body: bytes) -> None:
                status, message = server.script.upload
                if status != 200:
                    self._error(status, message)
                    return
                head = f"Content-Type: {self.headers['Content-Type']}\r\n\r\n".encode()
                form = email.parser.BytesParser().parsebytes(head + body)
                fields = {p.get_param("name", header="content-disposition"): p
                          for p in form.get_payload()}
                file_id = f"file-{len(server.files) + 1}"
                server.files[file_id] = fields["file"].get_payload(decode=True)
                purpose = fields["purpose"].get_payload(decode=True).decode()
                server.uploads.append((purpose, fields["file"].get_filename()))
                self._send(200, {"id": file_id, "object": "file", "bytes": len(
                    server.files[file_id]), "created_at": 0, "filename":
                    fields["file"].get_filename(), "purpose": purpose, "status": "processed"})

            def _create(self, body: Dict[str, Any]) -> None:
                server.created.append(body)
                # the create answers the first status; each retrieve the next one
                batch = _Batch(f"batch_{len(server.batches) + 1}", body["input_file_id"], step=1)
                server.batches[batch.id] = batch
                self._send(200, server._object(batch, server.script.statuses[0]))

            def _retrieve(self, batch_id: str) -> None:
                status, message = server.script.retrieve
                if status != 200 or batch_id not in server.batches:
                    self._error(status if status != 200 else 404, message or "no such batch")
                    return
                batch = server.batches[batch_id]
                statuses = server.script.statuses
                state = statuses[min(batch.step, len(statuses) - 1)]
                batch.step += 1
                if state in ("completed", "expired", "cancelled") and batch.output_file_id is None:
                    server._finish(batch)
                if server.script.batch_fields is not None:
                    self._send(200, server.script.batch_fields)
                    return
                self._send(200, server._object(batch, state))

        self._listen(Handler)

    def _object(self, batch: _Batch, state: str) -> Dict[str, Any]:
        errors = {"object": "list", "data": list(self.script.errors)} if self.script.errors \
            else None
        return {"id": batch.id, "object": "batch", "endpoint": "/v1/chat/completions",
                "errors": errors, "input_file_id": batch.input_file_id,
                "completion_window": "24h", "status": state,
                "output_file_id": batch.output_file_id, "error_file_id": batch.error_file_id,
                "created_at": 0, "request_counts": dict(batch.counts), "metadata": {}}

    def _finish(self, batch: _Batch) -> None:
        """The output and error files, made from the input lines."""
        out: List[str] = []
        err: List[str] = []
        lines = [json.loads(ln) for ln in self.files[batch.input_file_id].decode().splitlines()
                 if ln.strip()]
        for n, line in enumerate(lines):
            cid = line["custom_id"]
            failure = self.script.failing(line)
            if self.script.expire_after is not None and n >= self.script.expire_after:
                err.append(json.dumps({"id": f"req_{n}", "custom_id": cid, "response": None,
                                       "error": {"code": "batch_expired",
                                                 "message": "This request could not be "
                                                            "executed before the completion "
                                                            "window expired."}}))
            elif failure is not None:
                err.append(json.dumps({"id": f"req_{n}", "custom_id": cid, "response": {
                    "status_code": 400, "request_id": f"r{n}",
                    "body": {"error": {"message": failure, "type": "invalid_request_error"}}},
                    "error": None}))
            else:
                out.append(json.dumps({"id": f"req_{n}", "custom_id": cid, "response": {
                    "status_code": 200, "request_id": f"r{n}",
                    "body": completion(self.script.answer(line["body"]))}, "error": None}))
        batch.counts = {"total": len(lines), "completed": len(out), "failed": len(err)}
        if out:
            batch.output_file_id = f"file-out-{batch.id}"
            self.files[batch.output_file_id] = self.script.output("\n".join(out) + "\n").encode()
        if err:
            batch.error_file_id = f"file-err-{batch.id}"
            self.files[batch.error_file_id] = ("\n".join(err) + "\n").encode()

    def input_lines(self) -> List[Dict[str, Any]]:
        """Every request line of every uploaded batch file."""
        return [json.loads(ln) for fid, data in self.files.items() if fid.startswith("file-")
                and not fid.startswith(("file-out", "file-err"))
                for ln in data.decode().splitlines() if ln.strip()]
