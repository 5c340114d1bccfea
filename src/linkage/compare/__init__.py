"""Compare: Dice similarity on packed bits (reference and compiled kernels).

:func:`kernel_info` says which kernel runs (the CLI prints its ``message``).
"""

from linkage.compare._blocked import (
    BlockedStats,
    band_bits,
    dice_block_pass,
    dice_blocked,
    dice_blocked_reference,
    iter_dice_blocked,
    mark_blocks,
)
from linkage.compare._dice import (
    HAVE_NUMBA,
    DiceStats,
    KernelInfo,
    default_threads,
    dice_cross,
    dice_pairs,
    dice_pairs_at_least,
    dice_reference,
    dice_upper_triangle,
    iter_dice_upper_triangle,
    kernel_info,
    popcount,
)

__all__ = [
    "BlockedStats",
    "band_bits",
    "dice_block_pass",
    "dice_blocked",
    "dice_blocked_reference",
    "iter_dice_blocked",
    "mark_blocks",
    "HAVE_NUMBA",
    "DiceStats",
    "KernelInfo",
    "default_threads",
    "dice_cross",
    "dice_pairs",
    "dice_pairs_at_least",
    "dice_reference",
    "dice_upper_triangle",
    "iter_dice_upper_triangle",
    "kernel_info",
    "popcount",
]
