"""The template states only what it knows: each example it writes runs.

Every case is a small module written to a tmp dir; the template writes the
guide through the real fix path (plan + generator), and the example it
wrote is then run by a real interpreter in a child process, with the tmp
dir on `sys.path`, and must exit 0.
"""
from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Dict, List

import pytest

from howto_hook.config import Settings
from howto_hook.fix import fix_data, plan
from howto_hook.generate.phases import MAX_STEPS, code
from howto_hook.generate.template import TemplateGenerator
from howto_hook.rules import enabled_codes

SETTINGS = Settings()
ENABLED = enabled_codes(SETTINGS.select, SETTINGS.ignore)


def _write(root: Path, files: Dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"))


def _outcomes(path: Path) -> Dict[str, str]:
    """qualname -> the docstring the template writes for it."""
    p = plan(path.read_bytes(), path=str(path), display=path.name, settings=SETTINGS,
             enabled=ENABLED, changed=None, generator_name="template")
    return {o.request.target.qualname: o.text for o in
            TemplateGenerator().generate(list(p.requests))}


def _example(doc: str) -> str:
    m = re.search(r"Usage Example\n-+\n\n```python\n(.*?)\n```", doc, re.S)
    assert m, doc
    return m.group(1)


def _run(code: str, root: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["PYTHONPATH"] = str(root)
    return subprocess.run([sys.executable, "-c", code], cwd=root, env=env, capture_output=True,
                          text=True, timeout=60, stdin=subprocess.DEVNULL)


CASES = [
    pytest.param("""
        from contextlib import contextmanager


        @contextmanager
        def opened(name: str):
            handle = [name]
            try:
                yield handle
            finally:
                handle.clear()
        """, {}, "opened", """
        from mod import opened

        with opened(name="example") as value:
            print(value)
        """, id="context-manager"),
    pytest.param("""
        import contextlib


        @contextlib.asynccontextmanager
        async def session(user: str):
            yield {"user": user}
        """, {}, "session", """
        import asyncio

        from mod import session


        async def main() -> None:
            async with session(user="example") as value:
                print(value)


        asyncio.run(main())
        """, id="async-context-manager"),
    pytest.param("""
        class Lock:
            def __init__(self, name: str) -> None:
                self.name = name

            def __enter__(self):
                return self

            def __exit__(self, *exc):
                return False
        """, {}, "Lock", """
        from mod import Lock

        with Lock(name="example") as instance:
            print(instance)
        """, id="context-manager-class"),
    pytest.param("""
        class Pool:
            def __init__(self, size: int) -> None:
                self.size = size

            async def __aenter__(self):
                return self

            async def __aexit__(self, *exc):
                return False
        """, {}, "Pool", """
        import asyncio

        from mod import Pool


        async def main() -> None:
            async with Pool(size=2) as instance:
                print(instance)


        asyncio.run(main())
        """, id="async-context-manager-class"),
    pytest.param("""
        def countdown(n: int):
            while n > 0:
                yield n
                n -= 1
        """, {}, "countdown", """
        from mod import countdown

        for item in countdown(n=2):
            print(item)
        """, id="generator"),
    pytest.param("""
        def naturals(start: int):
            while True:
                yield start
                start += 1
        """, {}, "naturals", """
        from itertools import islice

        from mod import naturals

        for item in islice(naturals(start=2), 5):
            print(item)
        """, id="endless-generator"),
    pytest.param("""
        async def ticks(n: int):
            for i in range(n):
                yield i
        """, {}, "ticks", """
        import asyncio

        from mod import ticks


        async def main() -> None:
            async for item in ticks(n=2):
                print(item)


        asyncio.run(main())
        """, id="async-generator"),
    pytest.param("""
        async def double(x: int) -> int:
            return x * 2
        """, {}, "double", """
        import asyncio

        from mod import double

        result = asyncio.run(double(x=2))
        print(result)
        """, id="coroutine"),
    pytest.param("""
        def log(message: str) -> None:
            print(message)
        """, {}, "log", """
        from mod import log

        log(message="example")
        """, id="returns-none"),
    pytest.param("""
        def remember(store, item):
            store.append(item)
        """, {}, "remember", """
        from mod import remember

        remember(store=[1, 2, 3], item="example")
        """, id="body-returns-nothing"),
    pytest.param("""
        def fail(message: str):
            raise ValueError(message)
        """, {}, "fail", """
        from mod import fail

        try:
            fail(message="example")
        except Exception as error:
            print(repr(error))
        """, id="raising-is-its-use"),
    pytest.param("""
        class Account:
            def __init__(self, owner: str, balance: float) -> None:
                self.owner = owner
                self.balance = balance
        """, {}, "Account", """
        from mod import Account

        instance = Account(owner="example", balance=1.5)
        """, id="class-required-init-prints-no-default-repr"),
    pytest.param("""
        class Account:
            def __init__(self, owner: str, balance: float) -> None:
                self.owner = owner
                self.balance = balance

            def __repr__(self) -> str:
                return f"Account({self.owner!r}, {self.balance!r})"
        """, {}, "Account", """
        from mod import Account

        instance = Account(owner="example", balance=1.5)
        print(instance)
        """, id="class-with-its-own-repr-prints-it"),
    pytest.param("""
        class Account(dict):
            def __init__(self, owner: str) -> None:
                super().__init__(owner=owner)
        """, {}, "Account", """
        from mod import Account

        instance = Account(owner="example")
        print(instance)
        """, id="class-with-a-base-may-print"),
    pytest.param("""
        class Temperature:
            def __init__(self, celsius: float) -> None:
                self.celsius = celsius

            @classmethod
            def from_fahrenheit(cls, degrees: float) -> "Temperature":
                return cls((degrees - 32) / 1.8)
        """, {}, "Temperature.from_fahrenheit", """
        from mod import Temperature

        result = Temperature.from_fahrenheit(degrees=1.5)
        print(result)
        """, id="classmethod"),
    pytest.param("""
        class Temperature:
            def __init__(self, celsius: float) -> None:
                self.celsius = celsius

            @property
            def fahrenheit(self) -> float:
                return self.celsius * 1.8 + 32
        """, {}, "Temperature.fahrenheit", """
        from mod import Temperature

        instance = Temperature(celsius=1.5)
        print(instance.fahrenheit)
        """, id="property"),
    pytest.param("""
        def clamp(value: int, *, low: int, high: int) -> int:
            return max(low, min(high, value))
        """, {}, "clamp", """
        from mod import clamp

        result = clamp(value=2, low=2, high=2)
        print(result)
        """, id="keyword-only"),
    pytest.param("""
        def scale(x: float, /, factor: float = 2.0) -> float:
            return x * factor
        """, {}, "scale", """
        from mod import scale

        result = scale(1.5)
        print(result)
        """, id="positional-only"),
    pytest.param('''
        from itertools import islice


        def pairs(items):
            """Pair each item with the next.

            >>> list(islice(pairs([1, 2, 3]), 5))
            [(1, 2), (2, 3)]
            >>> pairs(None)  # doctest: +SKIP
            >>> pairs(1)
            Traceback (most recent call last):
            TypeError: object of type 'int' has no len()
            """
            return list(zip(items, items[1:]))
        ''', {}, "pairs", """
        from itertools import islice

        from mod import pairs

        print(list(islice(pairs([1, 2, 3]), 5)))
        """, id="doctest-gives-the-call"),
    pytest.param('''
        def shout(words):
            """Print each word in capitals; return nothing.

            >>> shout(["a", "b"])
            A
            B
            >>> def more():
            ...     return ["c"]
            >>> shout(more())
            C
            """
            for word in words:
                print(word.upper())
        ''', {}, "shout", """
        from mod import shout

        shout(["a", "b"])


        def more():
            return ["c"]


        shout(more())
        """, id="doctest-printed-text-is-not-printed-again"),
    pytest.param('''
        def total(prices):
            """Add up the prices.

            >>> from decimal import Decimal
            >>> from mod import total
            >>> total([Decimal("1.10"), Decimal("2.20")])
            Decimal('3.30')
            """
            return sum(prices)
        ''', {}, "total", """
        from decimal import Decimal

        from mod import total

        print(total([Decimal("1.10"), Decimal("2.20")]))
        """, id="doctest-imports-join-the-example-imports"),
    pytest.param("""
        def split_on(text, marker):
            return text.split(marker)
        """, {"pyproject.toml": "[project]\nname = 'demo'\n",
              "tests/test_mod.py": """
                  import pytest

                  from mod import split_on


                  def test_split():
                      with pytest.raises(TypeError):
                          split_on(1, 2)
                      data = load()
                      assert split_on(data, "-") == []
                      assert split_on("a-b-c-d", "-") == ["a", "b", "c", "d"]
                      assert split_on("a-b", "-") == ["a", "b"]
                  """},
        "split_on", """
        from mod import split_on

        result = split_on('a-b', '-')
        print(result)
        """, id="real-call-in-a-test-file"),
]


@pytest.mark.parametrize("source, others, qualname, expected", CASES)
def test_the_example_written_is_exact_and_runs(tmp_path: Path, source: str, others: Dict[str, str],
                                               qualname: str, expected: str) -> None:
    _write(tmp_path, {"mod.py": source, **others})
    docs = _outcomes(tmp_path / "mod.py")
    code = _example(docs[qualname])
    assert code == textwrap.dedent(expected).strip("\n")
    done = _run(code, tmp_path)
    assert done.returncode == 0, done.stderr


def test_every_example_of_a_mixed_module_runs(tmp_path: Path) -> None:
    """All the kinds side by side in one module, fixed for real: every example runs."""
    body = "\n\n".join(textwrap.dedent(p.values[0]).strip("\n") for p in CASES
                       if not p.values[1] and "Temperature" not in p.values[2])
    (tmp_path / "mod.py").write_text(body + "\n")
    docs = {q: d for q, d in _outcomes(tmp_path / "mod.py").items() if d is not None}
    assert len(docs) >= 10
    for qualname, doc in docs.items():
        done = _run(_example(doc), tmp_path)
        assert done.returncode == 0, (qualname, done.stderr)


# --- never None where None cannot go ------------------------------------------------


@pytest.mark.parametrize("signature, expected_args", [
    pytest.param("def lt(val: int)", "val=2", id="int"),
    pytest.param("def shorten(text: str, width: int)", 'text="example", width=40', id="width"),
    pytest.param("def from_key_val_list(value)", 'value="example"', id="unannotated-open"),
    pytest.param("def pick(choice: Optional[int])", "choice=2", id="optional-gets-a-value"),
    pytest.param("def keep(iterable, count)", "iterable=[1, 2, 3], count=2", id="by-name"),
    pytest.param("def mode(kind: Literal['r', 'w'])", "kind='r'", id="literal"),
    pytest.param("def zipped(count, *iterables)", "count=2", id="star-iterables-passes-none"),
    pytest.param("def scan(string, pos, endpos)", 'string="example", pos=2, endpos=2',
                 id="an-index-by-name-is-a-number"),
])
def test_arguments_fit_the_parameter(tmp_path: Path, signature: str, expected_args: str) -> None:
    source = f"from typing import Literal, Optional\n\n\n{signature}:\n    return 1\n"
    (tmp_path / "mod.py").write_text(source)
    docs = _outcomes(tmp_path / "mod.py")
    name = signature.split()[1].split("(")[0]
    assert f"{name}({expected_args})" in _example(docs[name])


# --- summaries, steps, placement -----------------------------------------------------


def test_a_wrapped_summary_is_kept_whole(tmp_path: Path) -> None:
    (tmp_path / "mod.py").write_text(textwrap.dedent('''
        def lt(a, b):
            """Return True when *a* sorts before *b*, comparing keys
            and never values.

            Used by the sort helpers.
            """
            return a < b
        ''').lstrip())
    doc = _outcomes(tmp_path / "mod.py")["lt"]
    assert doc.startswith("Return True when *a* sorts before *b*, comparing keys\n"
                          "and never values.\n\nUsed by the sort helpers.\n\nHow to Use")


@pytest.mark.parametrize("body, summary", [
    pytest.param("def lt(a, b):\n    return a < b\n", "Return `a < b`.", id="return"),
    pytest.param("def each(xs):\n    for x in xs:\n        yield x * 2\n",
                 "Yield `x * 2` for each item of `xs`.", id="generator"),
    pytest.param("def shout(text):\n    log(text.upper())\n    flush()\n",
                 "Call `log` and `flush`.", id="calls"),
    pytest.param("class Point:\n    def __init__(self, x, y):\n        self.x = x\n",
                 "Hold `x` and `y`.", id="class"),
    pytest.param("class Box:\n    def __init__(self, size: int) -> None:\n"
                 "        self._fields = [size]\n\n    def fields(self):\n"
                 "        return self._fields[:]\n",
                 "The `fields` method of `Box`.", id="no-private-attribute-named"),
    pytest.param("class Box:\n    def __init__(self, size: int) -> None:\n"
                 "        self._fields = [size]\n\n    @property\n    def fields(self):\n"
                 "        return self._fields[:]\n",
                 "The `fields` property of `Box`.", id="a-property-is-no-method"),
])
def test_a_written_summary_says_what_it_does(tmp_path: Path, body: str, summary: str) -> None:
    (tmp_path / "mod.py").write_text(body)
    doc = list(_outcomes(tmp_path / "mod.py").values())[-1]  # the last definition's
    assert doc.split("\n")[0] == summary


def _steps(doc: str) -> List[str]:
    block = doc.split("Execution Steps\n---------------\n", 1)[1].split("\n\nUsage Example")[0]
    return re.findall(r"^\d+\. \*\*([^*]+)\*\*", block, re.M)


def test_steps_are_unlike_few_and_never_a_catch_all(tmp_path: Path) -> None:
    (tmp_path / "mod.py").write_text(textwrap.dedent('''
        def busy(items, other, flag):
            if flag:
                a = 1
            for item in items:
                print(item)
            if not items:
                b = 2
            for item in other:
                print(item)
            c = len(items)
            if c > 3:
                raise ValueError(c)
            try:
                d = int(c)
            except TypeError:
                d = 0
            finally:
                print("done")
            while d:
                d -= 1
            with open("x") as f:
                f.read()
            if flag:
                return any_prefix_is_longer_than_the_limit_of_quoting(items, other, flag)
            return d
        ''').lstrip())
    labels = _steps(_outcomes(tmp_path / "mod.py")["busy"])
    assert len(labels) <= MAX_STEPS
    assert len(labels) == len(set(labels)), labels
    assert "Finish Remaining Work" not in labels
    assert "Clean Up" in labels


@pytest.mark.parametrize("comment, label", [
    pytest.param("Count the kept values.", "Count Kept Values", id="imperative"),
    pytest.param("Count what is kept", "Count Kept", id="little-words-left-out"),
    pytest.param("Handy aliases.", "Call len", id="a-noun-phrase-takes-the-steps-own"),
    pytest.param("PrettyTable formatting does not pad", "Call len",
                 id="a-statement-takes-the-steps-own"),
    pytest.param("Expand the kept values", "Expand Kept Values", id="a-verb-before-an-object"),
    pytest.param("Count them, then round", "Count Them", id="first-clause-only"),
    pytest.param("If total != 0 we had some values", "Call len", id="a-clause-with-code"),
    pytest.param("The same applies to the rest", "Call len", id="a-remark"),
    pytest.param("Sum `kept` values_here", "Sum Kept", id="stops-at-code"),
])
def test_a_comment_labels_its_step_only_when_it_names_an_action(
        tmp_path: Path, comment: str, label: str) -> None:
    (tmp_path / "mod.py").write_text(textwrap.dedent(f'''
        def tally(values: list, limit: int) -> int:
            """Count the values under the limit."""
            # Find the values below the limit
            kept = [v for v in values if v < limit]
            # {comment}
            total = len(kept)
            # Give the count back
            return total
        ''').lstrip())
    assert _steps(_outcomes(tmp_path / "mod.py")["tally"])[1] == label


def test_a_method_takes_its_example_from_the_class_doctest_that_calls_it(tmp_path: Path) -> None:
    (tmp_path / "mod.py").write_text(textwrap.dedent('''
        class run_length:
            """Run-length encoding.

            >>> list(run_length.encode('abb'))
            [('a', 1), ('b', 2)]

            Decoding reverses it:

            >>> list(run_length.decode([('a', 1), ('b', 2)]))
            ['a', 'b', 'b']
            """

            @staticmethod
            def encode(iterable):
                return ((k, len(list(g))) for k, g in groupby(iterable))

            @staticmethod
            def decode(iterable):
                return chain.from_iterable(repeat(k, n) for k, n in iterable)

            @staticmethod
            def unused(iterable):
                return iterable
        ''').lstrip())
    docs = _outcomes(tmp_path / "mod.py")
    assert _example(docs["run_length.encode"]) == (
        "from mod import run_length\n\nprint(list(run_length.encode('abb')))")
    # the first block does not call decode: the example reaches the block that does
    assert _example(docs["run_length.decode"]).endswith(
        "print(list(run_length.decode([('a', 1), ('b', 2)])))")
    # a method the class's doctest never calls takes nothing from it
    unused = docs["run_length.unused"]
    assert unused is None or "encode" not in _example(unused)


@pytest.mark.parametrize("summary, sentence", [
    pytest.param("Search text for the pattern.", "It searches text for the pattern.",
                 id="one-sentence"),
    pytest.param("Create the name of a table like Rails does. This method uses pluralize.",
                 "It creates the name of a table like Rails does.", id="first-sentence-only"),
    pytest.param("Create a table, e.g. Rails does. More here.", "",
                 id="a-first-sentence-ending-on-an-abbreviation-is-not-one"),
    pytest.param("Helper for tables.", "", id="no-imperative"),
    pytest.param("create a table.", "", id="lowercase-is-not-a-summary-sentence"),
    pytest.param("Deactivate internationalisation.", "It deactivates internationalisation.",
                 id="a-verb-of-the-longer-list"),
    pytest.param("Set of tags the run keeps.", "", id="a-noun-that-is-also-a-verb"),
    pytest.param("Map each name to its value.", "It maps each name to its value.",
                 id="the-same-word-as-a-verb"),
    pytest.param("Pipe a value through a sequence of functions",
                 "It pipes a value through a sequence of functions.",
                 id="a-plain-word-before-an-object"),
    pytest.param("Concatenate zero or more iterables, any of which may be infinite.",
                 "It concatenates zero or more iterables, any of which may be infinite.",
                 id="a-plain-word-before-a-quantity"),
    pytest.param("Equivalent to the list of permutations.", "", id="an-adjective"),
    pytest.param("Returns the value.", "", id="already-third-person"),
    pytest.param("Processing the data.", "", id="a-participle"),
    pytest.param("Process the data.", "It processes the data.", id="a-verb-ending-in-ss"),
    pytest.param("Helper the thing.", "", id="a-noun-of-the-list"),
    pytest.param("When the queue is full, wait.", "", id="a-clause"),
    pytest.param("See the docs for the rest.", "", id="a-remark"),
])
def test_an_imperative_summary_becomes_the_description(summary: str, sentence: str) -> None:
    from howto_hook.generate.phases import Words
    from howto_hook.generate.prose import _from_imperative

    assert _from_imperative(summary, Words(())) == sentence


def test_a_citation_comment_marks_no_phase_and_labels_never_repeat(tmp_path: Path) -> None:
    (tmp_path / "mod.py").write_text(textwrap.dedent('''
        def permute(values: list, size: int) -> list:
            """Yield the permutations of the values."""
            # Algorithm: https://w.wiki/Qai
            items = sorted(values)
            # Algorithm: modified from the above
            total = len(items)
            # Count the results
            count = min(total, size)
            # Count the results again
            return [items[:count]]
        ''').lstrip())
    doc = _outcomes(tmp_path / "mod.py")["permute"]
    labels = _steps(doc)
    assert "https://" not in doc.split("Execution Steps")[1], doc
    assert len(labels) == len(set(labels)), labels


def test_two_phases_that_begin_alike_are_labelled_apart(tmp_path: Path) -> None:
    (tmp_path / "mod.py").write_text(textwrap.dedent('''
        def chain(values: list) -> list:
            """Run the values through four steps."""
            # The first part
            a = sorted(values)
            b = list(a)
            # The second part
            c = reversed(b)
            d = tuple(c)
            return list(d)
        ''').lstrip())
    assert _steps(_outcomes(tmp_path / "mod.py")["chain"]) == ["Call Helpers", "Call reversed"]


def test_one_definitions_internal_error_leaves_the_others(tmp_path: Path, monkeypatch) -> None:
    from howto_hook.generate import template

    real = template.build_all

    def faulty(req):  # an injected fault in one definition: the generator's own bug
        if req.target.name == "broken":
            raise SyntaxError("'(' was never closed")
        return real(req)

    monkeypatch.setattr(template, "build_all", faulty)
    (tmp_path / "mod.py").write_text(textwrap.dedent('''
        def broken(x: int) -> int:
            """Double x."""
            return x * 2


        def fine(x: int) -> int:
            """Triple x."""
            return x * 3
        ''').lstrip())
    p = plan((tmp_path / "mod.py").read_bytes(), path=str(tmp_path / "mod.py"), display="mod.py",
             settings=SETTINGS, enabled=ENABLED, changed=None, generator_name="template")
    outcomes = {o.request.target.name: o for o in TemplateGenerator().generate(list(p.requests))}
    assert outcomes["fine"].text is not None
    assert outcomes["broken"].text is None
    assert outcomes["broken"].error.startswith("internal error (SyntaxError: '(' was never")
    assert outcomes["broken"].error.endswith("please report it")


def test_a_step_never_says_less_than_the_body_returns(tmp_path: Path) -> None:
    (tmp_path / "mod.py").write_text(textwrap.dedent('''
        def compatible(version: str, flag: bool) -> bool:
            """Tell whether the version is compatible."""
            if flag:
                return False
            return version_registry_of_the_application.compatibility_table.lookup
        ''').lstrip())
    doc = _outcomes(tmp_path / "mod.py")["compatible"]
    assert ("Returns `False` or a computed value, depending on the path taken."
            in " ".join(doc.split())), doc


@pytest.mark.parametrize("text, limit, expected", [
    pytest.param("hasattr(iterable, '__reversed__') and hexversion", 60,
                 "hasattr(iterable, '__reversed__') and hexversion", id="short-enough-whole"),
    pytest.param("hasattr(iterable, '__reversed__') and hexversion", 40,
                 "hasattr(...) and hexversion", id="call-keeps-its-callee"),
    pytest.param("tmp not in (Unit.SECONDS, Unit.MILLISECONDS, Unit.MICROSECONDS)", 48,
                 "tmp not in (...)", id="collection-keeps-brackets"),
    pytest.param("_ngettext('%d microsecond', '%d microseconds', d.microseconds) % d.microseconds",
                 48, "_ngettext(...) % d.microseconds", id="operand-call"),
    pytest.param("Fraction(number - whole_number).limit_denominator", 48,
                 "Fraction(...).limit_denominator", id="callee-of-a-call"),
    pytest.param("f(g(a_long_argument_name, another_one), h(x))", 30,
                 "f(g(...), h(...))", id="one-depth-at-a-time"),
    pytest.param("check(value == 'a long string constant here')", 30,
                 "check(value == 'a lon...')", id="long-string"),
    pytest.param("(first_long_name, second_long_name, third_long_name)", 30, "",
                 id="collection-alone-says-nothing"),
    pytest.param("(0 == self.major == other.major) and (self[:4] != other[:4])", 48,
                 "0 == self.major == other.major and ...", id="a-boolean-keeps-its-first-operand"),
    pytest.param("any_prefix_is_longer_than_the_limit", 20, "", id="name-too-long"),
    pytest.param("fmt(f'{value:>10} and a long literal part', width)", 30,
                 "fmt(f'...', width)", id="an-f-string-whole-or-not-at-all"),
    pytest.param("fmt(f'{value:>10} and a long literal part', width)", 50,
                 "fmt(f'{value:>10} and a long literal part', width)", id="an-f-string-whole"),
    pytest.param("lambda item: item.key if item.valid else default_key_value", 30,
                 "", id="lambda-alone"),
    pytest.param("re.sub('(?:^|_)(.)', lambda m: m.group(1).upper(), string)", 48,
                 "re.sub('(?:^|_)(.)', lambda m: ..., string)",
                 id="a-lambda-keeps-its-parameters"),
])
def test_code_elides_the_deepest_parts_first(text: str, limit: int, expected: str) -> None:
    short = code(ast.parse(text, mode="eval").body, limit)
    assert short == expected
    if short:  # what prose quotes is always one whole expression
        ast.parse(short.replace("...", "x"), mode="eval")


def test_the_finally_block_is_cleanup_that_always_runs(tmp_path: Path) -> None:
    _write(tmp_path, {"mod.py": '''
        def work(lock):
            lock.acquire()
            try:
                return lock.value
            finally:
                lock.release()


        class Gate:
            value = 1

            def acquire(self):
                pass

            def release(self):
                pass
        ''', "pyproject.toml": "[project]\nname = 'demo'\n",
        "tests/test_mod.py": """
            from mod import Gate, work


            def test_work():
                gate = Gate()
                assert work(gate) == 1
            """})
    doc = _outcomes(tmp_path / "mod.py")["work"]
    assert "BaseException" not in doc and "Catches" not in doc
    assert "Runs `lock.release` when the block ends, whether it finished or raised." in \
        " ".join(doc.split())


DOCTESTED = '''
def chunked(iterable, n):
    """Break *iterable* into lists of length *n*:

        >>> list(chunked([1, 2, 3, 4, 5, 6], 3))
        [[1, 2, 3], [4, 5, 6]]

    For example, the last list may be shorter::

        chunked([1, 2, 3], 2)
        Section
        -------

    Done.
    """
    it = iter(iterable)
    while True:
        chunk = [x for _, x in zip(range(n), it)]
        if not chunk:
            return
        yield chunk


def first(iterable):
    """Return the first item
    of *iterable*.

    >>> first([0, 1])
    0
    """
    return next(iter(iterable))
'''


def test_doctests_and_literal_blocks_stay_whole_and_still_pass(tmp_path: Path) -> None:
    path = tmp_path / "mod.py"
    path.write_text(DOCTESTED)

    def doctest_result() -> str:
        done = subprocess.run([sys.executable, "-m", "doctest", "-v", str(path)], cwd=tmp_path,
                              capture_output=True, text=True, timeout=60)
        return done.stdout.splitlines()[-1] + f" rc={done.returncode}"

    before = doctest_result()
    fixed = fix_data(path.read_bytes(), path=str(path), display="mod.py", settings=SETTINGS,
                     enabled=ENABLED, changed=None, generator=TemplateGenerator())
    assert fixed.after is not None and set(fixed.fixed) == {"chunked", "first"}
    path.write_bytes(fixed.after)
    assert doctest_result() == before
    tree = ast.parse(fixed.after)
    original = {f.name: ast.get_docstring(f) for f in ast.parse(DOCTESTED).body}
    for node in tree.body:
        doc = ast.get_docstring(node)
        # the person's text comes first, whole; the guide follows it
        assert doc.startswith(original[node.name] + "\n\nHow to Use This Code Block\n"), doc


ARTICLES = [
    ("index", "an"), ("Parser", "a"), ("Use", "a"), ("User", "a"), ("union", "a"),
    ("Undefined", "an"), ("update", "an"), ("Optional", "an"), ("OneOf", "a"),
    ("SSLContext", "an"), ("HTTPAdapter", "an"), ("URLPattern", "a"), ("XMLParser", "an"),
    ("URI", "a"), ("FTP", "an"), ("IO", "an"), ("Eu", "a"), ("A", "an"),
    ("UnequalIterablesError", "an"), ("Unordered", "an"), ("Unit", "a"), ("Unicode", "a"),
    ("UniqueKey", "a"),
]


@pytest.mark.parametrize("name, article", ARTICLES)
def test_the_article_is_the_one_said_before_the_name(name: str, article: str) -> None:
    from howto_hook.generate.prose import _article

    assert _article(name) == article
