"""Which lines a change touched; and the only module that runs git (the
directory walk's file listing asks through `listed`).

`parse_hunks` is pure (patch text in, changed line numbers out); the rest is
a thin shell that asks git, always with the same flags and with every user
setting that could change the patch's shape pinned, so that a
`diff.noprefix`, `color.ui=always`, `diff.relative` or external diff tool in
someone's config cannot change what is read.
"""
from __future__ import annotations

import os
import re
import subprocess
from typing import Dict, FrozenSet, List, Mapping, NamedTuple, Optional, Sequence, Set

# None for a file that is wholly new (every definition in it is changed).
Lines = Optional[FrozenSet[int]]

_PINNED = (
    "-c", "core.quotePath=false",
    "-c", "diff.noprefix=false",
    "-c", "diff.mnemonicPrefix=false",
    "-c", "diff.relative=false",
    "-c", "diff.interHunkContext=0",
    "-c", "color.ui=never",
    "-c", "color.diff=never",
)
# --text: a `.gitattributes` that marks *.py `binary` or `-diff` would
# otherwise turn every change into "Binary files differ", with no line in it.
_DIFF_FLAGS = ("--no-ext-diff", "--no-color", "--no-textconv", "--text", "-U0",
               "--src-prefix=a/", "--dst-prefix=b/")
_HUNK = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")
_ESCAPES = {"a": "\a", "b": "\b", "t": "\t", "n": "\n", "v": "\v", "f": "\f",
            "r": "\r", '"': '"', "\\": "\\"}


class GitError(Exception):
    """git failed in a way the user has to fix; one line for the user."""


class Change(NamedTuple):
    """What changed, as absolute path -> changed lines (None: wholly new)."""

    files: Mapping[str, Lines]
    description: str  # "the working tree against HEAD", for messages


# --- pure: patch text -> changed lines ------------------------------------------


def _unquote(path: str) -> str:
    """Undo git's C-style quoting of unusual path names."""
    if not (len(path) >= 2 and path[0] == path[-1] == '"'):
        return path
    body = path[1:-1]
    out = bytearray()
    i = 0
    while i < len(body):
        ch = body[i]
        if ch == "\\" and i + 1 < len(body):
            nxt = body[i + 1]
            octal = body[i + 1:i + 4]
            if len(octal) == 3 and all(c in "01234567" for c in octal):
                out.append(int(octal, 8))  # a raw byte of a non-ASCII name
                i += 4
                continue
            out.extend(_ESCAPES.get(nxt, nxt).encode())
            i += 2
            continue
        out.extend(ch.encode("utf-8", "surrogateescape"))
        i += 1
    return out.decode("utf-8", "surrogateescape")


def _new_path(header: str) -> Optional[str]:
    """The path of a `+++ ` line, None for /dev/null."""
    name = header[4:]
    if name.endswith("\t"):  # git appends a tab to names holding spaces
        name = name[:-1]
    name = _unquote(name)
    if name == "/dev/null":
        return None
    return name[2:] if name.startswith("b/") else name


def parse_hunks(patch: str) -> Dict[str, FrozenSet[int]]:
    """Changed line numbers of the new side of a `git diff -U0` patch, per path.

    An added or modified line counts; a pure deletion touches the lines on
    both sides of the gap it leaves (`@@ -4 +3,0 @@` touches 3 and 4), so
    that deleting the last lines of a function marks that function.
    """
    if not patch:
        return {}
    changed: Dict[str, Set[int]] = {}
    lines = patch.split("\n")
    path: Optional[str] = None
    i = 0
    while i < len(lines):
        line = lines[i]
        i += 1
        if line.startswith("diff --git "):
            path = None
        elif line.startswith("+++ ") and path is None:
            path = _new_path(line)
            if path is not None:
                changed.setdefault(path, set())
        elif line.startswith("@@ "):
            m = _HUNK.match(line)
            if m is None:
                continue
            old_left = int(m.group(2)) if m.group(2) is not None else 1
            new_start = int(m.group(3))
            new_left = int(m.group(4)) if m.group(4) is not None else 1
            nxt = new_start if new_left > 0 else new_start + 1
            marks = changed.setdefault(path, set()) if path is not None else set()
            added_in_block = False
            deleted_in_block = False
            # Consume exactly the hunk's lines, so that a removed line that
            # happens to read "--- x" or "+++ y" is never taken for a header.
            while (old_left > 0 or new_left > 0) and i < len(lines):
                body = lines[i]
                i += 1
                tag = body[:1]
                if tag == "\\":
                    continue  # "\ No newline at end of file"
                if tag == "+":
                    marks.add(nxt)
                    nxt += 1
                    new_left -= 1
                    added_in_block = True
                elif tag == "-":
                    old_left -= 1
                    deleted_in_block = True
                else:  # a context line (only when hunks were merged)
                    if deleted_in_block and not added_in_block:
                        marks.update(n for n in (nxt - 1, nxt) if n >= 1)
                    added_in_block = deleted_in_block = False
                    nxt += 1
                    old_left -= 1
                    new_left -= 1
            if deleted_in_block and not added_in_block:
                marks.update(n for n in (nxt - 1, nxt) if n >= 1)
    return {p: frozenset(s) for p, s in changed.items()}


# --- the shell: asking git --------------------------------------------------------


def _env() -> Dict[str, str]:
    env = dict(os.environ)
    for var in ("GIT_EXTERNAL_DIFF", "GIT_DIFF_OPTS", "GIT_PAGER", "PAGER"):
        env.pop(var, None)
    return env


Result = subprocess.CompletedProcess


def _run(commands: Sequence[Sequence[str]], cwd: str) -> List[Result]:
    """Run git commands side by side in `cwd`, with the pinned configuration.

    Every command starts before any is read; reading them in turn cannot
    deadlock, since no command waits for another.
    """
    env = _env()
    procs: List[subprocess.Popen] = []
    try:
        for args in commands:
            procs.append(subprocess.Popen(["git", "-C", cwd, *_PINNED, *args], env=env,
                                          stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                          stderr=subprocess.PIPE))
    except OSError as e:
        for p in procs:  # reap what did start before giving up
            p.communicate()
        raise GitError(f"cannot run git: {e.strerror or e}") from None
    results = []
    for p in procs:
        out, err = p.communicate()
        results.append(Result(p.args, p.returncode, out, err))
    return results


def git(args: Sequence[str], cwd: str, *, check: bool = True) -> Result:
    proc = _run([args], cwd)[0]
    if check:
        _ok(proc, args[0])
    return proc


def _ok(proc: Result, what: str) -> str:
    """The output of a git call that must have worked; GitError otherwise."""
    if proc.returncode != 0:
        message = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise GitError(f"git {what} failed: {message[-1] if message else proc.returncode}")
    return _text(proc)


def _text(proc: Result) -> str:
    return proc.stdout.decode("utf-8", "surrogateescape")


def tracks(root: str, path: str) -> bool:
    """Whether git tracks anything at or under `path` (relative to `root`);
    False outside a repository or without git."""
    try:
        proc = git(["ls-files", "-z", "--", path], root, check=False)
    except GitError:
        return False
    return proc.returncode == 0 and bool(proc.stdout)


class Repo(NamedTuple):
    root: str
    has_head: bool  # False in a repository with no commits yet


_TOPLEVEL = ("rev-parse", "--show-toplevel", "HEAD")


def repository(cwd: str) -> Optional[Repo]:
    """The work tree around `cwd` (one git call), None outside a repository.

    A repository git refuses to read (one owned by another user: "dubious
    ownership") is not "outside": reading every file instead of the change
    would check, and fix, what nobody touched. That is a GitError with git's
    own reason.
    """
    try:
        proc = git(_TOPLEVEL, cwd, check=False)
    except GitError:  # no git at all: the same as no repository
        return None
    repo = _repo(proc)
    if repo is None and proc.returncode != 0:
        refused = refusal(proc)
        if refused is not None:
            raise GitError(refused)
    return repo


def _top(directory: str) -> Optional[str]:
    """The nearest directory at or above `directory` holding a `.git` (a
    directory, or a file in a submodule or worktree)."""
    here = directory
    while True:
        if os.path.lexists(os.path.join(here, ".git")):
            return here
        parent = os.path.dirname(here)
        if parent == here:
            return None
        here = parent


def nested_repository(path: str, cwd: str) -> Optional[str]:
    """The top of the repository holding `path` when that is a submodule or
    another repository inside the one around `cwd`; None otherwise."""
    full = os.path.realpath(path)
    own = _top(full if os.path.isdir(full) else os.path.dirname(full))
    outer = _top(os.path.realpath(cwd))
    if own is None or outer is None or own == outer:
        return None
    return own if own.startswith(outer.rstrip(os.sep) + os.sep) else None


def refusal(proc: Result) -> Optional[str]:
    """git's reason for failing, unless the reason is only that there is no
    repository here; None then."""
    lines = [ln.strip() for ln in proc.stderr.decode("utf-8", "replace").splitlines()
             if ln.strip()]
    if not lines or any("not a git repository" in ln.lower() for ln in lines):
        return None
    reason = lines[0][len("fatal: "):] if lines[0].startswith("fatal: ") else lines[0]
    fix = next((ln for ln in lines if ln.startswith("git config")), None)
    return f"git cannot read this repository: {reason}" + (f" (to trust it: {fix})"
                                                           if fix else "")


def _repo(proc: Result) -> Optional[Repo]:
    lines = _text(proc).splitlines()
    if not lines or not os.path.isabs(lines[0]):
        return None  # not a work tree (or a bare repository)
    # With no commits, rev-parse still prints the top level, then fails on HEAD.
    return Repo(lines[0], proc.returncode == 0)


def _resolve(rev: str, root: str, what: str) -> str:
    proc = git(["rev-parse", "--verify", "-q", f"{rev}^{{commit}}"], root, check=False)
    if proc.returncode != 0:
        remote_hint = ""
        if "/" in rev:
            remote, _, branch = rev.partition("/")
            remote_hint = f" (try: git fetch {remote} {branch})"
        raise GitError(f"{what} {rev!r} is not a commit in this repository{remote_hint}")
    return _text(proc).strip()


def _ls(flags: Sequence[str], pathspecs: Sequence[str] = ()) -> List[str]:
    return ["ls-files", "-z", "--full-name", *flags, "--", *pathspecs]


_UNTRACKED = ("--others", "--exclude-standard")


def _names(text: str) -> List[str]:
    return [n for n in text.split("\0") if n]


def listed(args: Sequence[str], cwd: str) -> Optional[List[str]]:
    """The NUL-separated names a git command prints (`ls-files -z`), None when
    git fails or is missing (outside a repository, say)."""
    try:
        proc = git(args, cwd, check=False)
    except GitError:
        return None
    return _names(_text(proc)) if proc.returncode == 0 else None


def differing(root: str) -> Optional[Set[str]]:
    """Every path (absolute) that differs from HEAD in the index or the work
    tree, or is untracked: a rename as both its names, a mode change too.
    None when git cannot say (no commit yet, say)."""
    names = listed(["diff", "--name-only", "--no-renames", "-z", "HEAD", "--"], root)
    others = listed(["ls-files", "-z", "--full-name", *_UNTRACKED], root)
    if names is None or others is None:
        return None
    return {os.path.normpath(os.path.join(root, p)) for p in names + others}


def _diff_args(revs: Sequence[str], pathspecs: Sequence[str] = (), *, relative: bool = False
               ) -> List[str]:
    # --relative: paths below the current directory only, named from it
    return ["diff", *_DIFF_FLAGS, *(("--relative",) if relative else ()), *revs, "--",
            *pathspecs]


def _absolute(root: str, changed: Mapping[str, Lines]) -> Dict[str, Lines]:
    return {os.path.normpath(os.path.join(root, p)): lines for p, lines in changed.items()}


def _with_untracked(root: str, revs: Sequence[str], pathspecs: Sequence[str] = ()
                    ) -> Dict[str, Lines]:
    """The diff of `revs` against the working tree, plus untracked files as
    wholly new; both git calls run side by side."""
    diff, others = _run([_diff_args(revs, pathspecs), _ls(_UNTRACKED, pathspecs)], root)
    return _merged(_ok(diff, "diff"), _ok(others, "ls-files"))


def _merged(patch: str, untracked: str) -> Dict[str, Lines]:
    """Changed lines from a patch, and untracked files (ls-files -z) as wholly new."""
    changed: Dict[str, Lines] = dict(parse_hunks(patch))
    changed.update({p: None for p in _names(untracked)})
    return changed


AGAINST_HEAD = "the working tree against HEAD"


def working_tree(repo: Repo, pathspecs: Sequence[str] = ()) -> Change:
    """The working tree against HEAD; untracked files are wholly new.

    `pathspecs` narrow what git looks at (the Python files), so that a
    change elsewhere in a large repository costs next to nothing.
    """
    root = repo.root
    if not repo.has_head:
        tracked, others = _run([_ls(("--cached",), pathspecs), _ls(_UNTRACKED, pathspecs)], root)
        every: Dict[str, Lines] = {p: None for p in _names(_ok(tracked, "ls-files"))}
        every.update({p: None for p in _names(_ok(others, "ls-files"))})
        return Change(_absolute(root, every), "a repository with no commits (everything is new)")
    return Change(_absolute(root, _with_untracked(root, ("HEAD",), pathspecs)),
                  AGAINST_HEAD)


_ADDED = re.compile(r"^new file mode ", re.M)


def working_tree_below(cwd: str, pathspecs: Sequence[str], *,
                       files_only: bool = False) -> Optional[Change]:
    """working_tree for the files at or below `cwd`, in one round of two git calls.

    A run given no paths checks the current directory only, so git can be
    asked for just that part (`--relative`, and ls-files' own cwd-relative
    listing) without first asking where the repository's top is. None when
    git cannot answer this way (outside a repository, or no commit yet):
    the caller then asks step by step. `pathspecs` are relative to `cwd`.

    `files_only`: the pathspecs name single files (the ones pre-commit
    passes), so that git reads those paths and nothing else of the tree.
    git cannot then pair a rename's old name with its new one: a file the
    diff shows as added gives None, for the caller to ask about the tree.
    """
    try:
        diff, others = _run([_diff_args(("HEAD",), pathspecs, relative=True),
                             ["ls-files", "-z", *_UNTRACKED, "--", *pathspecs]], cwd)
    except GitError:
        return None
    if diff.returncode != 0 or others.returncode != 0:
        return None
    patch = _text(diff)
    if files_only and _ADDED.search(patch):
        return None
    return Change(_absolute(cwd, _merged(patch, _text(others))), AGAINST_HEAD)


def between_refs(root: str, from_ref: str, to_ref: str) -> Change:
    """The change pre-commit names for pre-push (or --from-ref/--to-ref)."""
    a = _resolve(from_ref, root, "PRE_COMMIT_FROM_REF")
    b = _resolve(to_ref, root, "PRE_COMMIT_TO_REF")
    patch = _text(git(_diff_args((f"{a}...{b}",)), root))
    return Change(_absolute(root, parse_hunks(patch)), f"{from_ref[:12]}...{to_ref[:12]}")


def since_base(root: str, rev: str) -> Change:
    """From the merge base of `rev` and HEAD to the working tree (CI mode)."""
    target = _resolve(rev, root, "--diff-base")
    proc = git(["merge-base", target, "HEAD"], root, check=False)
    if proc.returncode != 0 or not _text(proc).strip():
        shallow = _text(git(["rev-parse", "--is-shallow-repository"], root, check=False)).strip()
        if shallow == "true":
            raise GitError(
                f"no merge base between {rev!r} and HEAD: this clone is shallow; fetch the "
                "full history (actions/checkout with fetch-depth: 0, or git fetch --unshallow)")
        raise GitError(f"no merge base between {rev!r} and HEAD: they share no history")
    base = _text(proc).strip()
    return Change(_absolute(root, _with_untracked(root, (base,))), f"changes since {rev}")
