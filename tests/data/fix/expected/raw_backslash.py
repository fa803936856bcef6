import re


def match_word(text: str) -> bool:
    r"""Match \bword\b in `text`; the pattern is r'\w+'.

    How to Use This Code Block
    ==========================

    Description
    -----------
    It returns `re.search('\\bword\\b', text) is not None`.

    Execution Steps
    ---------------
    1. **Return Result**: Returns `re.search('\\bword\\b', text) is not None`.

    Usage Example
    -------------

    ```python
    from raw_backslash import match_word

    result = match_word(text="example")
    print(result)
    ```
    """
    return re.search(r"\bword\b", text) is not None


def quotes(text: str) -> str:
    '''Wrap text in """triple""" quotes and a trailing backslash \\

    How to Use This Code Block
    ==========================

    Description
    -----------
    It returns `'"""' + text + '"""'`.

    Execution Steps
    ---------------
    1. **Return Result**: Returns `'"""' + text + '"""'`.

    Usage Example
    -------------

    ```python
    from raw_backslash import quotes

    result = quotes(text="example")
    print(result)
    ```
    '''
    return '"""' + text + '"""'
