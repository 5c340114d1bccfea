"""Raw primitives. Dangerous: you should not need these to link records.

They exist for the privacy attack suite and benchmarks, which must play the
part of someone who holds the key or who inspects filters bit by bit, and this
module is their one door into the encoder's internals. Normal callers use
:func:`linkage.encode_dataframe` and the registry functions.
"""

from linkage.encode._bloom import pack_bits, record_positions, token_positions, unpack_bits
from linkage.encode._hardening import (
    MISSING_SALT,
    HardeningPlan,
    blip_flip_probability,
    hardening_plan,
    keyed_permutation,
    keystream,
    pack_rows,
    salt_tag,
)
from linkage.encode._tokens import tokeniser
from linkage.fieldtypes.initials import LETTER_CLASSES, initials_tokens, letter_classes
from linkage.fieldtypes.year import year_tokens

__all__ = [
    "LETTER_CLASSES",
    "MISSING_SALT",
    "HardeningPlan",
    "blip_flip_probability",
    "hardening_plan",
    "initials_tokens",
    "keyed_permutation",
    "keystream",
    "letter_classes",
    "pack_bits",
    "pack_rows",
    "record_positions",
    "salt_tag",
    "token_positions",
    "tokeniser",
    "unpack_bits",
    "year_tokens",
]
