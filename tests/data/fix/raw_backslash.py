import re


def match_word(text: str) -> bool:
    r"""Match \bword\b in `text`; the pattern is r'\w+'."""
    return re.search(r"\bword\b", text) is not None


def quotes(text: str) -> str:
    '''Wrap text in """triple""" quotes and a trailing backslash \\'''
    return '"""' + text + '"""'
