def with_bom(x: int) -> int:
    return x
