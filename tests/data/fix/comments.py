def annotated(x: int) -> int:  # noqa: E501
    # the comment before the first statement stays where it is
    y = x + 1  # and this one too
    return y


class Box:  # a box
    # a comment in the class body
    size = 3
