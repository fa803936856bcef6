def single(x: int) -> int:
    'Return x unchanged.'
    return x


def triple_single(x: int) -> int:
    '''Return x again.'''
    return x
