"""howto-hook: keep a usage guide in every docstring a change touches."""
__version__ = "0.1.0"
PROG = "howto-check"  # the command's name, in its messages
