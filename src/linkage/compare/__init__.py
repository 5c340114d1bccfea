"""Compare: Dice similarity on packed bits (reference, numpy and compiled kernels)."""

from linkage.compare._dice import (
    HAVE_NUMBA,
    dice_pairs,
    dice_reference,
    dice_upper_triangle,
    popcount,
)

__all__ = ["HAVE_NUMBA", "dice_pairs", "dice_reference", "dice_upper_triangle", "popcount"]
