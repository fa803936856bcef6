def double(x: int) -> int: return x * 2  # fast path


class Empty: pass
