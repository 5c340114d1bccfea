"""Raw primitives. Dangerous: you should not need these to link records.

They exist for the privacy attack suite and benchmarks, which must play the
part of someone who holds the key or who inspects filters bit by bit. Normal
callers use :func:`linkage.encode_dataframe` and the registry functions.
"""

from linkage.encode._bloom import pack_bits, record_positions, token_positions, unpack_bits
from linkage.encode._tokens import initials_tokens, letter_classes, tokeniser, year_tokens

__all__ = [
    "initials_tokens",
    "letter_classes",
    "pack_bits",
    "record_positions",
    "token_positions",
    "tokeniser",
    "unpack_bits",
    "year_tokens",
]
