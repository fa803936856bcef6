"""The template writes what the project's own evidence shows, or nothing.

Each case is a small project in a temporary directory: the definition, and
where the project uses it (its tests, its package `__init__`). The guide's
example comes from a doctest, a real use (a slice of a test, fixtures and
asserts gone), or arguments grounded in annotations and the body's use; a
definition without such evidence gets no guide and says why.
"""
from __future__ import annotations

import re
import textwrap
from pathlib import Path
from typing import Dict, Optional, Tuple

import pytest

from howto_hook.config import Settings
from howto_hook.fix import plan
from howto_hook.generate.template import TemplateGenerator
from howto_hook.rules import enabled_codes
from test_template import _example, _run

SETTINGS = Settings()
ENABLED = enabled_codes(SETTINGS.select, SETTINGS.ignore)
PROJECT = "[project]\nname = 'demo'\n"


def _write(root: Path, files: Dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"))


def _outcomes(path: Path) -> Dict[str, Tuple[Optional[str], str, bool]]:
    """qualname -> (the docstring the template writes or None, the reason, verbatim)."""
    p = plan(path.read_bytes(), path=str(path), display=path.name, settings=SETTINGS,
             enabled=ENABLED, changed=None, generator_name="template")
    return {o.request.target.qualname: (o.text, o.error, bool(o.verbatim and o.verbatim[0]))
            for o in TemplateGenerator().generate(list(p.requests))}


def _section(doc: str, name: str) -> str:
    m = re.search(name + r"\n-+\n(.*?)(?:\n\n\S[^\n]*\n-+\n|\Z)", doc, re.S)
    assert m, doc
    return " ".join(m.group(1).split())


# a module whose exception class the tests below catch, each in their own way
RAISES_EMPTY = """
    class EmptyError(ValueError):
        \"\"\"The text holds no words.\"\"\"


    def words(text):
        found = text.split()
        if not found:
            raise EmptyError("no words in " + repr(text))
        return found
    """

EXAMPLES = [
    pytest.param({"mod.py": """
        def merge(base, extra):
            base.update(extra.items())
            return base
        """, "tests/test_mod.py": """
        import pytest

        from mod import merge


        @pytest.fixture
        def settings():
            return {"a": 1}


        def test_merge_with_fixture(settings):
            assert merge(settings, {"b": 2}) == {"a": 1, "b": 2}


        def test_merge():
            base = {"a": 1}
            extra = {"b": 2}
            assert merge(base, extra) == {"a": 1, "b": 2}
        """}, "mod.py", "merge", """
        from mod import merge

        base = {'a': 1}
        extra = {'b': 2}
        result = merge(base, extra)
        print(result)
        """, True, id="test-slice-fixtures-and-asserts-gone"),
    pytest.param({"mod.py": """
        def traced(func):
            def wrapper(*args):
                return func(*args)
            return wrapper
        """, "tests/test_mod.py": """
        from mod import traced


        @traced
        def add(a, b):
            return a + b
        """}, "mod.py", "traced", """
        from mod import traced


        @traced
        def add(a, b):
            return a + b
        """, True, id="decorator-decorates-what-the-project-decorates"),
    pytest.param({"mod.py": """
        def memo(store):
            def decorate(func):
                def wrapper(n):
                    if n not in store:
                        store[n] = func(n)
                    return store[n]
                return wrapper
            return decorate
        """, "tests/test_mod.py": """
        from mod import memo


        def test_memo():
            cache = {}

            @memo(cache)
            def square(n):
                return n * n

            assert square(3) == 9
            assert cache == {3: 9}
        """}, "mod.py", "memo", """
        from mod import memo

        cache = {}


        @memo(cache)
        def square(n):
            return n * n


        print(square(3))
        """, True, id="decorator-real-use-its-arguments-built-and-called"),
    pytest.param({"mod.py": """
        def traced(func):
            def wrapper(*args):
                return func(*args)
            return wrapper
        """, "tests/test_mod.py": """
        from mod import traced


        def test_traced(log):
            @traced
            def add(a, b):
                return log(a + b)
        """}, "mod.py", "traced", """
        from mod import traced


        @traced
        def greet(name):
            return "Hello, " + name


        print(greet("world"))
        """, False, id="decorator-use-reading-a-fixture-falls-back"),
    pytest.param({"mod.py": """
        class Session:
            def __init__(self, name):
                self.name = name

            def __enter__(self):
                return self

            def __exit__(self, *exc):
                return False
        """, "tests/test_mod.py": """
        from mod import Session


        def test_session():
            with Session("db") as session:
                assert session.name == "db"
        """}, "mod.py", "Session", """
        from mod import Session

        with Session('db') as instance:
            print(instance)
        """, True, id="context-manager-in-with"),
    pytest.param({"mod.py": """
        class Stack:
            def __init__(self, limit):
                self.items = []
                self.limit = limit

            def push(self, item):
                self.items.append(item)
                return len(self.items)
        """, "tests/test_mod.py": """
        from mod import Stack


        def test_push():
            stack = Stack(limit=3)
            stack.push("a")
            assert stack.push("b") == 2
        """}, "mod.py", "Stack.push", """
        from mod import Stack

        stack = Stack(limit=3)
        result = stack.push('a')
        print(result)
        """, True, id="method-instance-from-a-test"),
    pytest.param({"pkg/__init__.py": """
        from pkg._impl import shout

        __all__ = ["shout"]
        """, "pkg/_impl.py": """
        def shout(text: str) -> str:
            return text.upper()
        """}, "pkg/_impl.py", "shout", """
        from pkg import shout

        result = shout(text="example")
        print(result)
        """, False, id="public-import-of-a-re-export"),
    pytest.param({"pkg/__init__.py": """
        from pkg.core import Box
        """, "pkg/core.py": """
        class Box:
            def __init__(self, size: int) -> None:
                self.size = size

            def doubled(self) -> int:
                \"\"\"Twice the size.

                >>> pkg.core.Box(2).doubled()
                4
                >>> Box(3).doubled()
                6
                \"\"\"
                return self.size * 2
        """, "tests/conftest.py": """
        import pytest

        import pkg


        @pytest.fixture(autouse=True)
        def names(doctest_namespace):
            doctest_namespace["pkg"] = pkg
            doctest_namespace["Box"] = pkg.core.Box
        """}, "pkg/core.py", "Box.doubled", """
        import pkg
        from pkg import Box

        print(pkg.core.Box(2).doubled())
        print(Box(3).doubled())
        """, True, id="doctest-reads-the-package-and-the-doctest-namespace"),
    pytest.param({"mod.py": RAISES_EMPTY, "tests/test_mod.py": """
        import pytest

        from mod import EmptyError, words


        def test_empty():
            blank = "   "
            with pytest.raises(EmptyError):
                words(blank)
        """}, "mod.py", "EmptyError", """
        from mod import EmptyError, words

        blank = '   '
        try:
            words(blank)
        except EmptyError as error:
            print(error)
        """, True, id="an-exception-as-the-tests-expect-it"),
    pytest.param({"mod.py": RAISES_EMPTY, "tests/test_mod.py": """
        import warnings

        import mod


        def test_empty():
            with warnings.catch_warnings():
                pass
            try:
                mod.words("")
            except (KeyError, mod.EmptyError) as e:
                assert "no words" in str(e)
        """}, "mod.py", "EmptyError", """
        import mod

        try:
            mod.words('')
        except mod.EmptyError as error:
            print(error)
        """, True, id="an-exception-as-a-try-catches-it"),
]


EXAMPLES.append(pytest.param({"mod.py": """
    class Box:
        \"\"\"A box of a given size.\"\"\"

        def __init__(self, size: int) -> None:
            self._size = size

        @property
        def size(self) -> int:
            \"\"\"The size the box was made with.\"\"\"
            return self._size
    """, "tests/test_mod.py": """
    import mod


    def test_size():
        box = mod.Box(3)
        assert box.size == 3
    """}, "mod.py", "Box.size", """
    import mod

    instance = mod.Box(3)
    print(instance.size)
    """, False, id="an-import-the-example-never-reads-is-left-out"))


@pytest.mark.parametrize("files, path, qualname, expected, verbatim", EXAMPLES)
def test_the_example_is_the_projects_own_use(tmp_path: Path, files: Dict[str, str], path: str,
                                              qualname: str, expected: str,
                                              verbatim: bool) -> None:
    _write(tmp_path, {"pyproject.toml": PROJECT, **files})
    text, error, is_verbatim = _outcomes(tmp_path / path)[qualname]
    assert text is not None, error
    code = _example(text)
    assert code == textwrap.dedent(expected).strip("\n")
    assert is_verbatim == verbatim
    done = _run(code, tmp_path)
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("source, qualname, reason", [
    pytest.param("""
        class Engine:
            pass


        def start(engine: Engine) -> None:
            engine.run()
        """, "start", "no evidence of how `start` is called (nothing fixes a value for "
        "`engine`)", id="project-class-annotation"),
    pytest.param("""
        def register(plugin):
            plugin.setup()
        """, "register", "no evidence of how `register` is called", id="attributes-read"),
    pytest.param("""
        def apply(func, value):
            return func(value)
        """, "apply", "nothing fixes a value for `func`", id="called-parameter"),
    pytest.param("""
        import abc


        class Base(abc.ABC):
            @abc.abstractmethod
            def run(self):
                pass
        """, "Base", "`Base` is not built directly (it is abstract)", id="abstract-class"),
    pytest.param("""
        class Match:
            def __init__(self, parser, match):
                self.parser = parser
                self.match = match

            def evaluate(self):
                return self.parser.evaluate(self.match)
        """, "Match", "nothing fixes a value for `parser`", id="stored-then-read-as-an-object"),
    pytest.param("""
        class Job:
            def __init__(self, action):
                self.action = action

            def run(self):
                return self.action()
        """, "Job", "nothing fixes a value for `action`", id="stored-then-called"),
    pytest.param("""
        class Step:
            def __init__(self, thing):
                self.thing = thing

            def run(self):
                return handle(self.thing)
        """, "Step", "nothing fixes a value for `thing`", id="stored-then-handed-on"),
    pytest.param("""
        def tzname(dt):
            return "UTC"
        """, "tzname", "nothing fixes a value for `dt`", id="unused-but-named-for-an-object"),
    pytest.param("""
        def load(data):
            return convert(data)
        """, "load", "nothing fixes a value for `data`", id="data-handed-on-is-anything"),
    pytest.param("""
        class SchemaError(Exception):
            def __init__(self, autos, errors=None):
                self.autos = autos
                self.errors = errors
        """, "SchemaError", "`SchemaError` is an exception the project raises",
        id="an-exception-is-not-built-by-hand"),
    pytest.param("""
        class BaseFailure(RuntimeError):
            pass


        class KeyFailure(BaseFailure):
            def __init__(self, key):
                self.key = key
        """, "KeyFailure", "`KeyFailure` is an exception the project raises",
        id="an-exception-through-a-base-of-the-module"),
    pytest.param("""
        class Version:
            def __init__(self, major: int) -> None:
                self.major = major

            def replace(self, **parts):
                return Version(**{"major": self.major, **parts})
        """, "Version.replace", "`replace` takes only `**parts`, and nothing shows what "
        "to pass", id="an-empty-call-of-a-variadic-only-method-shows-nothing"),
    pytest.param("""
        def merge(*maps):
            out = {}
            for m in maps:
                out.update(m)
            return out
        """, "merge", "`merge` takes only `*maps`", id="an-empty-call-of-a-variadic-function"),
])
def test_no_evidence_no_example(tmp_path: Path, source: str, qualname: str, reason: str) -> None:
    _write(tmp_path, {"pyproject.toml": PROJECT, "mod.py": source})
    text, error, _ = _outcomes(tmp_path / "mod.py")[qualname]
    assert text is None
    assert reason in error


@pytest.mark.parametrize("docstring, meanings", [
    pytest.param('''
        """Join words into one line.

        Args:
            words: the words to put on the line.
            sep: what goes between two words.

        Returns:
            The line of text.

        Raises:
            ValueError: when there are no words.
        """''', ["`words` (the words to put on the line)", "`sep` (what goes between two words)",
                 "returns the line of text", "raises `ValueError` when there are no words"],
                 id="google"),
    pytest.param('''
        """Join words into one line.

        :param words: the words to put on the line.
        :param sep: what goes between two words.
        :returns: the line of text.
        :raises ValueError: when there are no words.
        """''', ["`words` (the words to put on the line)", "`sep` (what goes between two words)",
                 "returns the line of text", "raises `ValueError` when there are no words"],
                 id="rest-field-list"),
    pytest.param('''
        """Join words into one line.

        .. deprecated:: 2.10.0
           Use :func:`~mod.glue` instead.

        :param words: the words to put on the line.
        :return: returns the line of text
        :raises ValueError: no words

        >>> join(["a", "b"], "-")
        'a-b'
        """''', ["Deprecated since 2.10.0: use `mod.glue` instead.",
                 "It returns the line of text.", "It raises `ValueError`: no words."],
                 id="rest-fields-then-a-doctest-and-a-directive"),
    pytest.param('''
        """Join words into one line.

        :param: the words
        :return: the line of text
        """''', ["It returns the line of text."], id="a-nameless-param-loses-nothing-after"),
    pytest.param('''
        """Join words into one line.

        .. deprecated:: 2.10.0
           Use :func:`~mod.glue` instead.
        .. versionadded:: 2.7.2
           Added :func:`join`

        :param words: the words to put on the line.
        :return: True if the line is not empty
        """''', ["Deprecated since 2.10.0: use `mod.glue` instead. It takes",
                 "It returns True if the line is not empty."],
                 id="a-directive-beside-the-deprecation-is-not-part-of-it-and-True-stays"),
    pytest.param('''
        """Join words into one line.

        :param words: URLs to put on the line.
        :return: A natural line of text.
        """''', ["`words` (URLs to put on the line)", "It returns a natural line of text."],
                 id="an-article-is-lowered-an-acronym-is-not"),
    pytest.param('''
        """Join words into one line.

        Returns:
            str (str or `words`): A natural line of text, or `words` unchanged
                when it is not a list.
        """''', ["It returns a natural line of text, or `words` unchanged when it is not a list."],
                 id="a-google-return-type-with-a-remark-is-not-prose"),
    pytest.param('''
        """Join words into one line.

        Returns:
            List[str] (joined): the line of text.
        """''', ["It returns the line of text."], id="a-subscripted-return-type-with-a-remark"),
])
def test_the_description_carries_what_the_parameters_mean(tmp_path: Path, docstring: str,
                                                         meanings: list) -> None:
    body = textwrap.indent(textwrap.dedent(docstring).strip("\n"), "    ")
    source = ("def join(words: list, sep: str) -> str:\n" + body + "\n"
              "    if not words:\n        raise ValueError('no words')\n"
              "    return sep.join(words)\n")
    _write(tmp_path, {"pyproject.toml": PROJECT, "mod.py": source})
    text, error, _ = _outcomes(tmp_path / "mod.py")["join"]
    assert text is not None, error
    description = _section(text, "Description")
    for meaning in meanings:
        assert meaning in description, description
    assert "(`list`" not in description and "takes `words` (`" not in description
    assert "versionadded" not in description
    assert ">>>" not in description and "returns returns" not in description


@pytest.mark.parametrize("source, said, unsaid", [
    pytest.param("""
        from typing import Generic, TypeVar

        T = TypeVar("T")


        class Box(Generic[T]):
            \"\"\"A box that holds one item.\"\"\"

            def __init__(self, item: str) -> None:
                \"\"\"
                :param item: what the box holds.
                \"\"\"
                self._item = item

            @property
            def item(self) -> str:
                return self._item

            def empty(self) -> None:
                self._item = ""
        """, ["`item` (what the box holds)", "Read `item` on an instance (property).",
              "Its method is `empty`."],
        ["builds on", "`Generic", "Its method is `item`", "Its methods are"],
        id="init-fields-property-read-no-typing-base"),
    pytest.param("""
        class Convert(object):
            def __call__(self, text: str) -> int:
                return int(text)
        """, ["An instance is called like a function (`__call__`)."],
        ["builds on `object`", "as the example shows"], id="callable-not-built-on-object"),
    pytest.param("class Many:\n" + "".join(
        f"    def m{i}(self) -> int:\n        return {i}\n\n" for i in range(9)),
        ["Its methods include `m0`, `m1`"], ["`m8`", "Its methods are"],
        id="a-list-cut-at-eight-says-include"),
])
def test_a_class_description_says_what_the_class_offers(tmp_path: Path, source: str,
                                                        said: list, unsaid: list) -> None:
    _write(tmp_path, {"pyproject.toml": PROJECT, "mod.py": source})
    outcomes = _outcomes(tmp_path / "mod.py")
    name = next(q for q in outcomes if "." not in q and q[0].isupper())
    text, error, _ = outcomes[name]
    assert text is not None, error
    description = _section(text, "Description")
    for words in said:
        assert words in description, description
    for words in unsaid:
        assert words not in description, description


@pytest.mark.parametrize("source, qualname, said", [
    pytest.param("""
        class Marker:
            pass
        """, "Marker", None, id="empty-class-no-docstring-left"),
    pytest.param("""
        def hook(event: str) -> None:
            pass
        """, "hook", None, id="stub-function-no-docstring-left"),
    pytest.param("""
        class Marker:
            \"\"\"Marks a test as slow.\"\"\"
        """, "Marker", "Build a `Marker`", id="a-person-said-what-it-is-for"),
    pytest.param("""
        class Account:
            def __init__(self, owner: str, balance: float) -> None:
                self.owner = owner
                self.balance = balance
        """, "Account", "An instance holds `owner` and `balance`.",
        id="the-code-says-what-an-instance-holds"),
    pytest.param("""
        def search(pattern: str, text: str):
            \"\"\"Search "text" for the first match of "pattern".

            The pattern may occur anywhere.
            \"\"\"
            found = compile_it(pattern)
            return found.search(text)
        """, "search", 'It searches "text" for the first match of "pattern".',
        id="an-imperative-summary-says-what-it-is-for"),
    pytest.param("""
        def patch_all(text: str):
            \"\"\"Match every line.\"\"\"
            found = compile_it(text)
            return found.match(text)
        """, "patch_all", "It matches every line.", id="a-verb-ending-in-ch-takes-es"),
    pytest.param("""
        def helper(text: str):
            \"\"\"Helper for the parser.\"\"\"
            found = compile_it(text)
            return found.search(text)
        """, "helper", "The example shows a call of `helper`",
        id="a-summary-not-in-the-imperative-is-not-turned"),
])
def test_a_filler_description_is_never_written(tmp_path: Path, source: str, qualname: str,
                                               said: Optional[str]) -> None:
    _write(tmp_path, {"pyproject.toml": PROJECT, "mod.py": source})
    text, error, _ = _outcomes(tmp_path / "mod.py")[qualname]
    if said is None:
        assert text is None and f"nothing says what it is for: `{qualname}` has no " \
            "docstring" in error
    else:
        assert text is not None, error
        assert said in _section(text, "Description")


def test_a_class_that_subclasses_its_namesake_is_fixed(tmp_path: Path) -> None:
    _write(tmp_path, {"pyproject.toml": PROJECT, "mod.py": """
        import json


        class JSONDecoder(json.JSONDecoder):
            pass
        """})
    text, error, _ = _outcomes(tmp_path / "mod.py")["JSONDecoder"]
    assert text is not None, error
    done = _run(_example(text), tmp_path)
    assert done.returncode == 0, done.stderr


def test_steps_take_their_labels_from_the_bodys_comments(tmp_path: Path) -> None:
    _write(tmp_path, {"pyproject.toml": PROJECT, "mod.py": """
        def tidy(text: str) -> str:
            # drop the blanks at both ends
            text = text.strip()
            # one space between words
            words = text.split()
            return " ".join(words)
        """})
    text, error, _ = _outcomes(tmp_path / "mod.py")["tidy"]
    assert text is not None, error
    steps = _section(text, "Execution Steps")
    assert "**Drop Blanks Both**: Drop the blanks at both ends." in steps, steps
    # a noun phrase names no action: the step keeps its own label
    assert "**Call split**: One space between words." in steps, steps


def test_a_comment_that_is_code_labels_no_step(tmp_path: Path) -> None:
    _write(tmp_path, {"pyproject.toml": PROJECT, "mod.py": """
        def bump(build: str, token: str) -> str:
            # build or (token or "build") + ".0"
            if not build:
                build = token + ".0"
            # build or (token or "build") + ".0"
            if not token:
                build = build + ".1"
            # done
            return build
        """})
    text, error, _ = _outcomes(tmp_path / "mod.py")["bump"]
    assert text is not None, error
    steps = _section(text, "Execution Steps")
    assert '(token or "build")' not in steps and "Token Build" not in steps, steps
    rows = re.findall(r"\d+\. \*\*[^*]+\*\*: (.*?)(?= \d+\. \*\*|$)", steps)
    assert len(rows) == len(set(rows)), steps


def test_the_llm_prompt_carries_the_evidence(tmp_path: Path) -> None:
    from howto_hook.generate.llm import build_messages

    _write(tmp_path, {"pyproject.toml": PROJECT, "mod.py": '''
        def scale(values, factor):
            """Scale numbers.

            :param factor: what each number is multiplied by.
            """
            return [v * factor for v in values]
        ''', "tests/test_mod.py": """
        from mod import scale


        def test_scale():
            numbers = [1, 2]
            assert scale(numbers, 3) == [3, 6]
        """})
    path = tmp_path / "mod.py"
    p = plan(path.read_bytes(), path=str(path), display="mod.py", settings=SETTINGS,
             enabled=ENABLED, changed=None, generator_name="llm")
    user = build_messages(p.requests[0])[1]["content"]
    assert "parameter `factor`: what each number is multiplied by." in user
    assert "numbers = [1, 2]\nscale(numbers, 3)" in user


def test_the_defining_module_is_the_fallback_when_the_public_name_fails(tmp_path: Path) -> None:
    """The public import is written first; the same example importing from the module
    that defines the name is the next candidate, for a run that finds the package's
    name is another object."""
    _write(tmp_path, {"pyproject.toml": PROJECT, "pkg/__init__.py": """
        from pkg._impl import shout
        """, "pkg/_impl.py": """
        def shout(text: str) -> str:
            return text.upper()
        """})
    path = tmp_path / "pkg" / "_impl.py"
    p = plan(path.read_bytes(), path=str(path), display="pkg/_impl.py", settings=SETTINGS,
             enabled=ENABLED, changed=None, generator_name="template")
    outcome = TemplateGenerator().generate(list(p.requests))[0]
    assert "from pkg import shout" in _example(outcome.text)
    assert [("from pkg._impl import shout" in _example(a)) for a in outcome.alternatives] == [True]
    assert outcome.verbatim == (False, False)  # the text, then its one alternative


@pytest.mark.parametrize("init, taken", [
    pytest.param("from pkg.cli import main\n", False, id="package-exports-another-main"),
    pytest.param("from pkg.__main__ import main\n", True, id="package-exports-this-main"),
])
def test_a_use_of_a_namesake_from_another_module_is_not_evidence(tmp_path: Path, init: str,
                                                                  taken: bool) -> None:
    _write(tmp_path, {"pyproject.toml": PROJECT, "pkg/__init__.py": init,
                      "pkg/cli.py": """
        def main(argv):
            return len(argv)
        """, "pkg/__main__.py": """
        def main(argv):
            return len(argv) + 1
        """, "tests/test_cli.py": """
        from pkg import main


        def test_main():
            args = ["check", "1.1.1"]
            assert main(args) == 2
        """})
    text, error, verbatim = _outcomes(tmp_path / "pkg" / "__main__.py")["main"]
    assert ("args = ['check', '1.1.1']" in (text or "")) is taken, text or error
    assert verbatim is taken


@pytest.mark.parametrize("doc, said, unsaid", [
    pytest.param('"""Compile the format.\n\n    Use it for speed. Returns a Parser instance.\n    """',
                 "It returns a Parser instance.", "It returns `Parser(", id="the-persons-returns"),
    pytest.param('"""Compile the format."""', None, "It returns `Parser(",
                 id="no-echo-of-a-returned-call"),
])
def test_the_description_says_what_it_returns_in_words(tmp_path: Path, doc: str,
                                                       said: Optional[str], unsaid: str) -> None:
    source = (f"class Parser:\n    def __init__(self, fmt: str) -> None:\n"
              f"        self.fmt = fmt\n\n\ndef build(fmt: str) -> Parser:\n    {doc}\n"
              f"    return Parser(fmt)\n")
    _write(tmp_path, {"pyproject.toml": PROJECT, "mod.py": source})
    text, error, _ = _outcomes(tmp_path / "mod.py")["build"]
    assert text is not None, error
    description = _section(text, "Description")
    assert unsaid not in description, description
    if said:
        assert said in description, description


@pytest.mark.parametrize("imports, body, expected", [
    pytest.param(["import os", "from mod import a, b"], "print(a(1))",
                 "from mod import a\n\nprint(a(1))", id="unread-names-dropped"),
    pytest.param(["import importlib", "module = importlib.import_module('tab\\tname')"],
                 "print(module.scale([1]))",
                 "import importlib\n\nmodule = importlib.import_module('tab\\tname')\n\n"
                 "print(module.scale([1]))",
                 id="an-import-a-head-statement-reads-is-kept"),
    pytest.param(["import os.path"], "print(os.path.sep)", "import os.path\n\nprint(os.path.sep)",
                 id="a-dotted-import-read-through-its-top-name"),
    pytest.param(["from mod import *"], "print(x)", "from mod import *\n\nprint(x)",
                 id="a-star-import-is-kept"),
])
def test_an_example_imports_what_its_code_reads(imports: list, body: str,
                                                expected: str) -> None:
    from howto_hook.generate.sources import assemble

    assert assemble(imports, body) == expected
