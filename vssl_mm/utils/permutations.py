"""The permutation table shared by order-prediction transforms and heads (stdlib only, so
datasets and models both import it)."""
import itertools
from typing import List, Tuple


def permutations_table(n: int) -> List[Tuple[int, ...]]:
    """All ``n!`` permutations of ``range(n)`` in ``itertools.permutations`` order.

    Row 0 is the identity (time order). A class ``c`` of an order head means "shown item
    ``j`` is time item ``table[c][j]``".
    """
    return list(itertools.permutations(range(n)))
