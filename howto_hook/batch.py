"""Guides for a whole codebase through a provider's Batch API, or a self-hosted batch runner.

    --batch-submit [PATHS]   the requests --fix --generator llm would send, as one
                             JSONL per batch, uploaded (files API, purpose
                             "batch") and started (batches API, 24 h window)
    --batch-status           the recorded batches, with the provider's status
    --batch-collect          finished batches' answers into the LLM cache, then
                             applied as --fix would apply them, sending nothing
    --batch-export FILE      the same JSONL, written for a self-hosted runner
    --batch-import FILE      a runner's output JSONL (OpenAI's and vLLM's
                             format) into the LLM cache; --fix then applies it
    --batch-forget ID        drop a batch's record

A request line is built by the synchronous path's own code (`llm.request_body`),
and its `custom_id` is the definition's LLM cache key, so an answer lands in
the cache exactly where a synchronous run would have put it, and a definition
whose source changed since misses it. Records live in
`.howto_cache/batches/` beside the LLM cache, at the project root. openai is
imported only inside the functions that talk to the provider.
"""
from __future__ import annotations

import dataclasses
import datetime
import json
import os
import re
import sys
from typing import Any, Dict, Iterable, List, NamedTuple, Optional, Sequence, Tuple

from howto_hook.cli import PROG, Options
from howto_hook.config import ConfigError, Settings
from howto_hook.generate.untrusted import holds_key, printable, scrub
from howto_hook.safeio import Refused, read_regular
from howto_hook.streams import shown

URL = "/v1/chat/completions"
# The provider's limits for one batch input file (OpenAI and Azure OpenAI).
MAX_REQUESTS = 50_000
MAX_BYTES = 200 * 1024 * 1024
RUNNING = ("validating", "in_progress", "finalizing", "cancelling")
ENDED = ("completed", "failed", "expired", "cancelled")
# What one output file, downloaded or imported, may weigh, and how long its
# download may take as a whole (a provider dripping bytes never runs past it).
MAX_OUTPUT_BYTES = 256 * 1024 * 1024
DOWNLOAD_SECONDS = 600.0
# A record names up to MAX_REQUESTS definitions; a few hundred bytes each.
MAX_RECORD_BYTES = 64 * 1024 * 1024
_ID = re.compile(r"^[A-Za-z0-9_.:-]{1,200}$")
_KEY = re.compile(r"^[0-9a-f]{64}$")


class BatchError(Exception):
    """A fault the user must hear about in one line (exit 2)."""


class Line(NamedTuple):
    """One request of a batch file and the definitions it answers."""

    custom_id: str
    text: str  # the JSONL line, without its newline
    where: Tuple[Tuple[str, str], ...]  # (path from the root, qualified name)
    tokens: int  # an estimate of its input tokens


# --- pure parts --------------------------------------------------------------------


def request_line(custom_id: str, body: Dict[str, Any]) -> str:
    return json.dumps({"custom_id": custom_id, "method": "POST", "url": URL, "body": body},
                      ensure_ascii=False, separators=(",", ":"))


def estimate_tokens(body: Dict[str, Any]) -> int:
    """About four characters a token, for English prose and code alike."""
    return sum(len(m.get("content", "")) for m in body.get("messages", ())) // 4 + 1


def split(lines: Sequence[Line], *, max_requests: int = MAX_REQUESTS,
          max_bytes: int = MAX_BYTES) -> List[List[Line]]:
    """The lines in files that each stay within the provider's limits, in order."""
    files: List[List[Line]] = []
    size = 0
    for line in lines:
        need = len(line.text.encode("utf-8")) + 1
        if need > max_bytes:
            raise BatchError(f"the request for {line.where[0][1]} alone is over the "
                             f"provider's limit of {max_bytes} bytes per batch file")
        if not files or len(files[-1]) >= max_requests or size + need > max_bytes:
            files.append([])
            size = 0
        files[-1].append(line)
        size += need
    return files


class Imported(NamedTuple):
    """What one output file held, sorted by what became of each line."""

    answers: Dict[str, Dict[str, Any]]  # custom_id -> the parsed answer
    not_json: int
    unknown: int  # a custom_id no record holds (or none at all)
    errors: Tuple[str, ...]  # a request the provider could not serve: its message
    expired: int
    unusable: Tuple[str, ...]  # an answer that is not the JSON object asked for


def read_output(text: str, known: Iterable[str], key: str) -> Imported:
    """Parse a batch output (or error) file, line by line; no line can sink the others.

    The provider's format and vLLM's batch runner's are the same: an object
    with `custom_id`, `response` (`status_code`, `body`: a chat completion)
    and `error`. An answer holding the API key counts as unusable.
    """
    from howto_hook.generate.llm import AnswerError, parse_answer

    wanted = set(known)
    answers: Dict[str, Dict[str, Any]] = {}
    not_json = unknown = expired = 0
    errors: List[str] = []
    unusable: List[str] = []
    for raw in text.splitlines():
        if not raw.strip():
            continue
        try:
            item = json.loads(raw)
        except (ValueError, RecursionError):  # RecursionError: a bracket bomb
            not_json += 1
            continue
        cid = item.get("custom_id") if isinstance(item, dict) else None
        if not isinstance(cid, str) or cid not in wanted:
            unknown += 1
            continue
        error = item.get("error")
        response = item.get("response")
        status = response.get("status_code") if isinstance(response, dict) else None
        if error or status != 200:
            code = error.get("code") if isinstance(error, dict) else None
            if code == "batch_expired":
                expired += 1
                continue
            said = error.get("message") if isinstance(error, dict) else None
            if said is None and isinstance(response, dict):
                body = response.get("body")
                inner = body.get("error") if isinstance(body, dict) else None
                said = inner.get("message") if isinstance(inner, dict) else None
            errors.append(printable(str(said or error or f"HTTP {status}"), 200))
            continue
        try:
            content = response["body"]["choices"][0]["message"]["content"]
            if not isinstance(content, str):
                raise TypeError
        except (KeyError, IndexError, TypeError):
            unusable.append("the line holds no answer text")
            continue
        if holds_key(content, key):
            unusable.append("the answer contains the API key; rejected")
            continue
        try:
            answer = parse_answer(content)
        except AnswerError as e:
            unusable.append(str(e))
            continue
        if holds_key(answer, key):
            unusable.append("the answer contains the API key; rejected")
            continue
        answers[cid] = answer
    return Imported(answers, not_json, unknown, tuple(errors), expired, tuple(unusable))


# --- records -----------------------------------------------------------------------


def _directory(root: str) -> str:
    return os.path.join(root, ".howto_cache", "batches")


def _record_path(root: str, batch_id: str) -> str:
    if not _ID.match(batch_id):
        raise BatchError(f"{printable(batch_id, 80)!r} is not a batch id")
    return os.path.join(_directory(root), batch_id + ".json")


def save_record(root: str, record: Dict[str, Any]) -> None:
    from howto_hook import cache

    try:
        cache.ensure_dir(root)
        os.makedirs(_directory(root), exist_ok=True)
        path = _record_path(root, record["id"])
        import tempfile

        # a fresh name opened O_EXCL: a link planted beside the record is never followed
        fd, tmp = tempfile.mkstemp(dir=_directory(root), prefix=".record-", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump(record, f, indent=1)
            os.replace(tmp, path)
        except BaseException:
            os.unlink(tmp)
            raise
    except OSError as e:
        raise BatchError(f"cannot record batch {record['id']} under {_directory(root)}: "
                         f"{e.strerror or e}") from None


def load_records(root: str) -> List[Dict[str, Any]]:
    """Every valid record, oldest first; a damaged or hostile one is said and passed over."""
    directory = _directory(root)
    try:
        names = sorted(n for n in os.listdir(directory) if n.endswith(".json"))
    except FileNotFoundError:
        return []
    except OSError as e:
        raise BatchError(f"cannot read {directory}: {e.strerror or e}") from None
    records = []
    for name in names:
        path = os.path.join(directory, name)
        problem = ""
        try:
            # never a FIFO or /dev/zero planted under a record's name
            record = json.loads(read_regular(path, MAX_RECORD_BYTES))
        except Refused as e:
            problem = str(e)
        except (ValueError, RecursionError):
            problem = "not JSON"
        else:
            problem = record_problem(record, name[:-len(".json")], root) or ""
        if problem:
            sys.stderr.write(shown(f"{PROG}: {path}: not a batch record "
                                   f"({printable(problem, 200)}); passed over") + "\n")
            continue
        records.append(record)
    return sorted(records, key=lambda r: (str(r.get("submitted", "")), r["id"]))


_OPTIONAL_STR = ("kind", "model", "submitted", "input_file_id", "export_file")


def record_problem(record: Any, name: str, root: str) -> Optional[str]:
    """What is wrong with a batch record read from disk, or None.

    A record may come from anyone who can commit to the repository: its
    shape is checked, and every path it names must lie inside `root`
    (after links), so that --batch-collect never writes elsewhere.
    """
    if not isinstance(record, dict):
        return "not a JSON object"
    if record.get("id") != name or not _ID.match(name):
        return "its id is not its file's name"
    for field in _OPTIONAL_STR:
        if field in record and not isinstance(record[field], str):
            return f"{field} is not a string"
    if record.get("kind", "provider") not in ("provider", "export"):
        return "kind is neither provider nor export"
    if not isinstance(record.get("base_url"), (str, type(None))):
        return "base_url is not a string"
    if not isinstance(record.get("collected", False), bool):
        return "collected is not true or false"
    requests = record.get("requests")
    if not isinstance(requests, dict) or len(requests) > MAX_REQUESTS:
        return "requests is not a table of at most 50,000 entries"
    real_root = os.path.realpath(root)
    for cid, places in requests.items():
        if not _KEY.match(cid):
            return "a request's id is not a cache key"
        if not (isinstance(places, list) and places and all(
                isinstance(p, list) and len(p) == 2 and all(isinstance(x, str) for x in p)
                for p in places)):
            return "a request's places are not [path, name] pairs"
        for rel, _ in places:
            if not _inside(rel, real_root):
                return f"the path {rel!r} lies outside the project"
    return None


def _inside(rel: str, real_root: str) -> bool:
    if not rel or "\0" in rel or os.path.isabs(rel) or rel.startswith(("/", "\\")):
        return False
    full = os.path.realpath(os.path.join(real_root, rel))
    return os.path.commonpath([full, real_root]) == real_root and full != real_root


def project_root(cwd: str) -> str:
    """Where the LLM cache and the batch records live: the repository's top, else
    the working directory (as --fix --generator llm keeps its cache)."""
    from howto_hook import diff

    repo = diff.repository(cwd)
    return repo.root if repo is not None else os.path.abspath(cwd)


def _now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


# --- the requests --------------------------------------------------------------------


def build_lines(options: Options, cwd: str) -> Tuple[Settings, str, List[Line], int]:
    """(settings, the project root, the request lines, definitions already answered
    in the cache), for the definitions --fix --generator llm would ask for."""
    from howto_hook import plan
    from howto_hook.fix import read_plan
    from howto_hook.generate.llm import LLMGenerator, cache_key, request_body

    work = plan.make(options, cwd)
    settings = work.settings
    root = project_root(cwd)
    key = os.environ.get(settings.llm.api_key_env, "")
    # send=False: only the cache is looked at, to leave out what is answered
    gen = LLMGenerator(settings.llm, api_key=key,
                       cache_root=None if options.no_cache else root, send=False)
    lines: Dict[str, Line] = {}
    cached = 0
    for job in work.jobs:
        p = read_plan(job.path, job.display, job.settings or settings, job.enabled,
                      job.changed, "llm")
        for line, qualname, reason in p.skipped:
            sys.stderr.write(shown(f"{job.display}:{line}: cannot fix {qualname}: {reason}")
                             + "\n")
        rel = os.path.relpath(os.path.abspath(job.path), root).replace(os.sep, "/")
        for req in p.requests:
            if gen._one(req).text is not None:
                cached += 1
                continue
            cid = cache_key(req, settings.llm.model)
            where = (rel, req.target.qualname)
            if cid in lines:  # the same definition twice (a copied module): one request
                old = lines[cid]
                lines[cid] = old._replace(where=old.where + (where,))
                continue
            body = request_body(req, settings.llm, secret=key)
            lines[cid] = Line(cid, request_line(cid, body), (where,), estimate_tokens(body))
    return settings, root, list(lines.values()), cached


def _record(batch_id: str, kind: str, settings: Settings, lines: Sequence[Line],
            **extra: Any) -> Dict[str, Any]:
    return {"id": batch_id, "kind": kind, "model": settings.llm.model,
            "base_url": settings.llm.base_url, "submitted": _now(),
            "requests": {ln.custom_id: [list(w) for w in ln.where] for ln in lines},
            "collected": False, **extra}


# --- the provider --------------------------------------------------------------------


class _Provider(NamedTuple):
    """The openai client for the provider, the key (for scrubbing), and the clock
    that bounds each small call (status, create) by `timeout` as a whole."""

    client: Any
    key: str
    clock: Any
    timeout: float

    def within(self, call: Any, *args: Any, **kwargs: Any) -> Any:
        import time

        with self.clock.until(time.monotonic() + self.timeout):
            return call(*args, **kwargs)


def _client(settings: Settings) -> _Provider:
    """The provider, with its key (for scrubbing)."""
    from howto_hook.generate import llm

    try:
        key = llm.provider_key(settings, "the batch options")
    except ConfigError as e:
        raise BatchError(str(e)) from None
    import openai

    from howto_hook.generate import transport

    clock = transport.Clock()
    client = openai.OpenAI(api_key=key, base_url=settings.llm.base_url,
                           timeout=settings.llm.timeout, max_retries=settings.llm.max_retries,
                           http_client=transport.http_client(settings.llm.base_url, clock))
    return _Provider(client, key, clock, settings.llm.timeout)


def _said(e: BaseException, key: str) -> str:
    """A provider error in one printable line, without the key."""
    import openai

    from howto_hook.generate import llm, transport

    cause = e.__cause__ if isinstance(e, openai.APIConnectionError) else e
    if isinstance(cause, transport.CrossOriginRedirect):
        text = str(cause)
    elif isinstance(e, openai.APITimeoutError):
        text = "the server did not answer in time"
    elif isinstance(e, openai.APIStatusError):
        text = llm.status_text(e)
    elif isinstance(e, openai.APIConnectionError):
        text = f"cannot reach the server: {e}"
    else:
        text = f"{type(e).__name__}: {e}"
    return printable(scrub(text, key))


def _field(obj: Any, name: str, batch_id: str) -> Any:
    value = getattr(obj, name, None)
    if value is None:
        raise BatchError(f"the provider's answer for batch {batch_id} lacks its {name}")
    return value


def _counts(batch: Any) -> str:
    counts = getattr(batch, "request_counts", None)
    if counts is None:
        return "no request counts yet"
    return (f"{getattr(counts, 'completed', 0) or 0}/{getattr(counts, 'total', 0) or 0} done, "
            f"{getattr(counts, 'failed', 0) or 0} failed")


def _reason(batch: Any) -> str:
    errors = getattr(batch, "errors", None)
    data = getattr(errors, "data", None) or []
    said = [printable(str(getattr(d, "message", "") or getattr(d, "code", "")), 200)
            for d in data]
    return "; ".join(s for s in said if s) or "the provider gave no reason"


def _retrieve(provider: _Provider, batch_id: str) -> Any:
    import openai

    try:
        batch = provider.within(provider.client.batches.retrieve, batch_id)
    except openai.NotFoundError:
        raise BatchError(f"batch {batch_id}: the provider knows no such batch (HTTP 404); "
                         f"drop its record with --batch-forget {batch_id}") from None
    except openai.OpenAIError as e:
        raise BatchError(f"batch {batch_id}: {_said(e, provider.key)}") from None
    status = _field(batch, "status", batch_id)
    if status not in RUNNING + ENDED:
        raise BatchError(f"batch {batch_id}: the provider gave an unknown status "
                         f"{printable(str(status), 40)!r}")
    return batch


def _download(provider: _Provider, file_id: str, batch_id: str) -> str:
    """An output file, at most MAX_OUTPUT_BYTES within DOWNLOAD_SECONDS as a whole."""
    import time

    import openai

    from howto_hook.generate import transport

    chunks: List[bytes] = []
    size = 0
    try:
        with provider.clock.until(time.monotonic() + DOWNLOAD_SECONDS):
            with provider.client.files.with_streaming_response.content(file_id) as response:
                for chunk in response.iter_bytes(1 << 16):
                    size += len(chunk)
                    if size > MAX_OUTPUT_BYTES:
                        raise BatchError(f"batch {batch_id}: file {file_id} is larger than "
                                         f"{MAX_OUTPUT_BYTES:,} bytes; not read")
                    chunks.append(chunk)
    except openai.OpenAIError as e:
        raise BatchError(f"batch {batch_id}: cannot download file {file_id}: "
                         f"{_said(e, provider.key)}") from None
    except transport.Cancelled:
        raise BatchError(f"batch {batch_id}: the download of file {file_id} was "
                         "interrupted") from None
    except Exception as e:  # httpx's own timeout when the deadline passes mid-body
        if type(e).__name__.endswith(("Timeout", "TimeoutException", "ReadTimeout")):
            raise BatchError(f"batch {batch_id}: the download of file {file_id} took longer "
                             f"than {DOWNLOAD_SECONDS:g} s; not read") from None
        raise
    return b"".join(chunks).decode("utf-8", "replace")


# --- the commands ----------------------------------------------------------------------


def submit(options: Options, cwd: str, *, max_requests: int = MAX_REQUESTS,
           max_bytes: int = MAX_BYTES) -> int:
    import openai

    settings, root, lines, cached = build_lines(options, cwd)
    if not lines:
        sys.stderr.write(f"Nothing to submit: no failing definition needs an answer "
                         f"({cached} answered in the cache).\n")
        return 0
    files = split(lines, max_requests=max_requests, max_bytes=max_bytes)
    client = _client(settings)
    for n, chunk in enumerate(files, start=1):
        data = ("\n".join(ln.text for ln in chunk) + "\n").encode("utf-8")
        name = f"howto-batch-{n}.jsonl"
        try:
            # the upload may be large: per-write timeouts only
            uploaded = client.client.files.create(file=(name, data, "application/jsonl"),
                                                  purpose="batch")
            file_id = _field(uploaded, "id", "(upload)")
            batch = client.within(client.client.batches.create, input_file_id=file_id,
                                  endpoint=URL, completion_window="24h",
                                  metadata={"tool": "howto-check"})
        except openai.OpenAIError as e:
            done = f" ({n - 1} of {len(files)} batches were submitted and recorded)" \
                if n > 1 else ""
            raise BatchError(f"cannot submit the batch file of {len(chunk)} requests: "
                             f"{_said(e, client.key)}{done}") from None
        batch_id = _field(batch, "id", "(new)")
        save_record(root, _record(batch_id, "provider", settings, chunk,
                                           input_file_id=file_id))
        tokens = sum(ln.tokens for ln in chunk)
        sys.stdout.write(f"{batch_id}\n")
        sys.stderr.write(f"Submitted batch {batch_id}: {len(chunk)} request"
                         f"{'s' if len(chunk) != 1 else ''}, about {tokens} input tokens "
                         f"({settings.llm.model}).\n")
    if cached:
        sys.stderr.write(f"{cached} definition{'s' if cached != 1 else ''} already answered "
                         "in the cache, not sent.\n")
    sys.stderr.write(f"Check with {PROG} --batch-status; apply with {PROG} --batch-collect "
                     "once it is completed (within 24 h).\n")
    return 0


def export(options: Options, cwd: str, target: str) -> int:
    settings, root, lines, cached = build_lines(options, cwd)
    data = "".join(ln.text + "\n" for ln in lines)
    try:
        with open(target, "w", encoding="utf-8") as f:
            f.write(data)
    except OSError as e:
        raise BatchError(f"cannot write {target}: {e.strerror or e}") from None
    if lines:
        import hashlib

        batch_id = "export-" + hashlib.sha256(data.encode()).hexdigest()[:12]
        save_record(root, _record(batch_id, "export", settings, lines,
                                           export_file=os.path.abspath(target)))
    tokens = sum(ln.tokens for ln in lines)
    sys.stderr.write(f"Wrote {len(lines)} request{'s' if len(lines) != 1 else ''} to "
                     f"{shown(target)}, "
                     f"about {tokens} input tokens ({cached} answered in the cache, not "
                     f"written). Run them, then {PROG} --batch-import OUTPUT.\n")
    return 0


def _store(root: str, answers: Dict[str, Dict[str, Any]], no_cache: bool) -> None:
    from howto_hook.generate.llm import _Cache

    if no_cache:
        raise BatchError("--no-cache leaves nowhere to put the batch's answers")
    from howto_hook import cache

    why = cache.refusal(root)
    if why is not None:
        raise BatchError(f"{why}: the batch's answers cannot be stored")
    store = _Cache(root)
    for cid, answer in answers.items():
        store.put(cid, answer)


def _report(label: str, got: Imported) -> Tuple[str, bool]:
    """One line on what an output held, and whether anything went wrong."""
    parts = [f"{len(got.answers)} answer{'s' if len(got.answers) != 1 else ''} stored"]
    for count, what in ((len(got.errors), "failed"), (got.expired, "expired"),
                        (len(got.unusable), "unusable"), (got.not_json, "not JSON"),
                        (got.unknown, "with an unknown custom_id")):
        if count:
            parts.append(f"{count} {what}")
    line = f"{label}: " + ", ".join(parts)
    details = list(got.errors[:3]) + list(got.unusable[:3])
    if details:
        line += " (" + "; ".join(details) + ")"
    return line, bool(got.errors or got.expired or got.unusable or got.not_json or got.unknown)


def import_file(options: Options, cwd: str, source: str) -> int:
    from howto_hook import plan

    settings = plan.load_settings_for(options, cwd)
    root = project_root(cwd)
    try:  # never a FIFO, a device or gigabytes
        text = read_regular(source, MAX_OUTPUT_BYTES).decode("utf-8", "replace")
    except Refused as e:
        raise BatchError(f"cannot read {source}: {e}") from None
    known = {cid for r in load_records(root) for cid in r["requests"]}
    got = read_output(text, known, os.environ.get(settings.llm.api_key_env, ""))
    _store(root, got.answers, options.no_cache)
    line, bad = _report(source, got)
    sys.stderr.write(line + ".\n")
    if got.answers:
        sys.stderr.write(f"Apply them with {PROG} --fix --generator llm (served from the "
                         "cache, nothing sent).\n")
    return 1 if bad else 0


def status(options: Options, cwd: str) -> int:
    from howto_hook import plan

    settings = plan.load_settings_for(options, cwd)
    root = project_root(cwd)
    records = load_records(root)
    if not records:
        sys.stderr.write(f"No batch is recorded under {_directory(root)}.\n")
        return 0
    client = None
    failed = False
    for r in records:
        n = len(r["requests"])
        head = f"{r['id']}  submitted {r.get('submitted', '?')}  {n} definition" \
               f"{'s' if n != 1 else ''}  {r.get('model', '?')}"
        if r.get("kind") == "export":
            sys.stdout.write(shown(f"{head}  exported to {r.get('export_file', '?')} "
                                   f"(import its output with --batch-import)") + "\n")
            continue
        if client is None:
            client = _client(settings)
        try:
            batch = _retrieve(client, r["id"])
        except BatchError as e:
            sys.stdout.write(shown(f"{head}  {e}") + "\n")
            failed = True
            continue
        state = batch.status + (" (collected)" if r.get("collected") else "")
        extra = f"  {_reason(batch)}" if batch.status in ("failed", "expired", "cancelled") \
            else ""
        sys.stdout.write(shown(f"{head}  {state}  {_counts(batch)}{extra}") + "\n")
    return 1 if failed else 0


def forget(options: Options, cwd: str, batch_id: str) -> int:

    root = project_root(cwd)
    path = _record_path(root, batch_id)
    try:
        os.unlink(path)
    except FileNotFoundError:
        known = ", ".join(r["id"] for r in load_records(root)) or "none"
        raise BatchError(f"no batch {batch_id} is recorded (recorded: {known})") from None
    except OSError as e:
        raise BatchError(f"cannot remove {path}: {e.strerror or e}") from None
    sys.stderr.write(f"Forgot batch {batch_id} (the provider keeps its files).\n")
    return 0


def collect(options: Options, cwd: str) -> int:
    from howto_hook import plan

    settings = plan.load_settings_for(options, cwd)
    root = project_root(cwd)
    records = [r for r in load_records(root) if r.get("kind") != "export"]
    if not records:
        sys.stderr.write(f"No submitted batch is recorded under {_directory(root)}.\n")
        return 0
    client = _client(settings)
    key = client.key
    trouble = False
    ready: List[Dict[str, Any]] = []
    for r in records:
        bid = r["id"]
        if r.get("collected"):
            sys.stderr.write(f"{bid}: collected before; its answers are in the cache\n")
            ready.append(r)
            continue
        try:
            batch = _retrieve(client, bid)
        except BatchError as e:
            sys.stderr.write(f"{PROG}: {e}\n")
            trouble = True
            continue
        if batch.status in RUNNING:
            sys.stderr.write(f"{bid}: still {batch.status} ({_counts(batch)}); nothing "
                             "collected\n")
            continue
        text = ""
        try:
            for name in ("output_file_id", "error_file_id"):
                file_id = getattr(batch, name, None)
                if file_id:
                    text += _download(client, file_id, bid) + "\n"
        except BatchError as e:
            sys.stderr.write(f"{PROG}: {e}\n")
            trouble = True
            continue
        got = read_output(text, r["requests"], key)
        _store(root, got.answers, options.no_cache)
        line, bad = _report(f"{bid}: {batch.status}", got)
        trouble = trouble or bad
        if batch.status != "completed":
            line += f"; {_reason(batch)}; record kept until --batch-forget {bid}"
            trouble = True
        else:
            r["collected"] = True
            save_record(root, r)
        sys.stderr.write(line + "\n")
        if got.answers:
            ready.append(r)
    if ready and apply(options, cwd, root, ready, key):
        trouble = True
    return 1 if trouble else 0


def apply(options: Options, cwd: str, root: str, records: Sequence[Dict[str, Any]],
          key: str) -> bool:
    """Fix the recorded definitions from the cache, as --fix would; True when some
    could not be (stale, failing the rules, unwritable)."""
    from howto_hook import plan, report
    from howto_hook.fix import finish_safely, read_plan
    from howto_hook.generate.llm import LLMGenerator
    from howto_hook.land import FixTally, land

    wanted: Dict[str, set] = {}
    for r in records:
        for places in r["requests"].values():
            for rel, qualname in places:
                wanted.setdefault(rel, set()).add(qualname)
    paths = []
    real_root = os.path.realpath(root)
    for rel in sorted(wanted):
        full = os.path.join(root, rel)
        if not _inside(rel, real_root):  # load_records refused it; never write outside
            continue
        if os.path.isfile(full):
            paths.append(full)
        else:
            sys.stderr.write(shown(f"{rel}: no longer exists; its batch answers are not "
                                   "applied") + "\n")
    if not paths:
        return True
    from howto_hook import examples

    # the answers' examples run as --fix runs them; with no interpreter that
    # imports the project, only an answer whose example is the project's own
    # is written (the generator's checks read each request's settings)
    work = examples.prepare(plan.make(options._replace(paths=tuple(paths), all=True), cwd),
                            fixing=True)
    runner = examples.runner_for(work.settings) if work.settings.run_examples else None
    gen = LLMGenerator(work.settings.llm, api_key=key, cache_root=root, send=False,
                       runner=runner)
    tally = FixTally()
    for job in work.jobs:
        own = job.settings or work.settings  # a file with a configuration of its own
        rel = os.path.relpath(os.path.abspath(job.path), root).replace(os.sep, "/")
        p = read_plan(job.path, job.display, own, job.enabled, None, "llm")
        mine = tuple(r for r in p.requests if r.target.qualname in wanted.get(rel, ()))
        p = dataclasses.replace(p, requests=mine, skipped=())
        outcomes = gen.generate(list(mine)) if mine else []
        land(finish_safely(p, outcomes, settings=own, enabled=job.enabled),
             False, tally, work.settings.root)
    sys.stderr.write(report.fix_summary(dry_run=False, fixed=tally.fixed,
                                        files_changed=tally.files_changed, failed=tally.failed,
                                        remaining=0, tokens=(0, tally.cached),
                                        unwritten=tally.unwritten) + "\n")
    return bool(tally.failed or tally.unwritten)


def run(options: Options, cwd: str) -> int:
    """The batch command the options name; its exit status."""
    try:
        if options.batch_submit:
            return submit(options, cwd)
        if options.batch_export:
            return export(options, cwd, options.batch_export)
        if options.batch_import:
            return import_file(options, cwd, options.batch_import)
        if options.batch_status:
            return status(options, cwd)
        if options.batch_collect:
            return collect(options, cwd)
        if options.batch_forget:
            return forget(options, cwd, options.batch_forget)
    except BatchError as e:
        sys.stderr.write(f"{PROG}: error: {e}\n")
        return 2
    raise AssertionError("run() is called only with a batch option")
