"""Pattern-mining cryptanalysis: find each token's bits without the key, then read the filters.

In the style of Christen, Vidanage, Ranbaduge and Schnell, *Pattern-mining based
cryptanalysis of Bloom filters for privacy-preserving record linkage* (PAKDD
2018, LNAI 10939), and Christen, Ranbaduge, Vatsalan and Schnell, *Precise and
fast cryptanalysis for Bloom filter based privacy-preserving record linkage*
(IEEE TKDE), adapted to the token model of :mod:`linkage.encode`.

What the attacker holds (see :mod:`linkage.privacy._common`): the packed filters
and presence masks, background frequencies from another population, and the
encoding *method* from the public schema (token types per field, bits per token,
filter length), but not the key. A token sets the same ``k`` bits in every filter
that contains it, so its bit positions are a set of filter columns that are all
set in a share of the filters that matches the token's frequency.

1. **Mining** (:func:`mine_bit_patterns`). Column co-occurrence ``B.T @ B`` (a
   float32 matrix product) gives, for every column, a greedy clique of columns
   that co-occur far more often than chance; the filters that have all of them
   are a nearly pure sample of one token's filters, and the columns set in
   *every* one of those filters (the closure) are that token's bits plus the
   bits of the tokens it implies (a country implies its continent). A pattern
   is a closed pair (columns, filters). Chance filters that slipped in are
   forgiven by a tolerant first closure, a wrong seed column is dropped when
   filters that lack only that column appear. Bits explained by found patterns
   are masked and the search repeats, so that rarer tokens surface; a pattern's
   *own* columns (those not explained by smaller token patterns inside it) are
   closed again, which separates a token from the one it was found together
   with. A pattern is *token-like* when it has at least about ``0.6 k`` own
   columns and is not a fragment of a larger pattern with the same filters.
2. **Labelling** by frequency rank and plausibility, field by field (sex,
   country, year, initials; each field takes the patterns whose own size fits
   its ``k``):

   * sex: the mutually exclusive patterns whose sizes best match the background
     frequencies of the values, assigned by rank;
   * country: continents the same way, then the codes inside each continent;
   * year: neighbourhood tokens of adjacent years share filters and tokens more
     than ``2r`` years apart share none, so the neighbourhood patterns form a
     chain that gives the order of the years (one missing link is bridged); the
     chain is oriented and placed by matching its sizes, and those of the exact
     tokens (the pattern inside ``2r + 1`` consecutive links), to the background
     distribution;
   * initials: patterns that are unions of others are letter classes, patterns
     inside two overlapping ones are pairs; the rest split into two mutually
     exclusive families (first and second letter), assigned by rank within what
     the letter classes allow.

   With the background's whole-tuple frequencies (``background["tuple"]``), the
   labels of patterns of similar size are then re-decided by maximum likelihood
   (Hungarian assignment): the attributes the *other* fields decode for a
   pattern's filters (sex, five-year band, nationality, the other initial) are
   scored against their distribution among background persons with each
   candidate label, together with the pattern's size. This is what tells two
   equally common countries apart, or the first-letter family from the
   second-letter one (a given name's initial depends on sex, a surname's does
   not).
3. **Re-identification**. For every field and every candidate value the labelled
   tokens it must have are known; a filter's value is the candidate whose
   labelled tokens are exactly the labelled tokens the filter contains (fewest
   violations otherwise), the most common in the background on ties, so that a
   filter that contains none of a field's labelled tokens gets the most common
   value whose tokens were not found.

Everything is deterministic. Closures are strict, so random bit flips (BLIP)
blind the miner; against flipped or XOR-folded filters it falls back to about
the guessing baseline. Balanced filters give themselves away (every column has
a partner set exactly where it is not); the sparser column of each pair is kept,
which restores all bits but those of tokens in more than half of the filters. Nothing here uses the key; tests use
:func:`linkage.hazmat.token_positions` only to plant tokens.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from linkage.privacy._common import QI_COLUMNS, EncodedView
from linkage.privacy._labelling import _decode, _FieldModel, _label_tokens, _Pool
from linkage.privacy._mining import MinedPatterns, complement_pairs, mine_bit_patterns
from linkage.privacy._refinement import (
    _joint_table,
    _refine_country,
    _refine_initials,
    _with_attributes,
)
from linkage.schema import Schema

BoolMatrix = npt.NDArray[np.bool_]
FloatMatrix = npt.NDArray[np.float32]


# ---------------------------------------------------------------------------
# The attack
# ---------------------------------------------------------------------------

def _unbalance(bits: BoolMatrix, pairs: npt.NDArray[np.int64]) -> BoolMatrix:
    """The sparser column of each complement pair of balanced filters.

    That is the original bit, except for bits of tokens in more than half of
    the filters (there the complement is kept, and those tokens are lost).
    """
    return np.ascontiguousarray(bits[:, np.sort(pairs[:, 0])])


@dataclass
class _Outcome:
    guesses: pd.DataFrame
    mined: MinedPatterns
    pool: _Pool
    labels: dict[str, dict[str, int]]
    models: dict[str, _FieldModel]


def _run(
    view: EncodedView,
    background: Mapping[str, pd.Series],
    token_model: Schema,
    *,
    min_support: int,
    rounds: int,
    use_joint: bool,
    refine_rounds: int,
) -> _Outcome:
    from linkage.hazmat import unpack_bits

    filters = np.asarray(view.filters)
    n = int(filters.shape[0])
    out = pd.DataFrame({c: pd.Series([None] * n, dtype=object) for c in QI_COLUMNS})
    bits = unpack_bits(filters) if n else np.zeros((0, int(view.filter_length)), dtype=bool)
    k_min = min((int(s.bits_per_token) for s in token_model.fields), default=16)
    min_own = max(4, round(0.6 * k_min))
    pairs = complement_pairs(bits)
    if len(pairs) >= 0.9 * bits.shape[1] / 2:  # balanced filters
        bits = _unbalance(bits, pairs)
    mined = mine_bit_patterns(bits, min_support=min_support, min_own=min_own, rounds=rounds)
    labels, pool, models = _label_tokens(mined, view, background, token_model)
    for col, fm in models.items():
        out[col] = pd.Series(_decode(pool, fm, labels[col]), dtype=object)
    joint = _joint_table(background) if use_joint and n else None
    if joint is not None:
        refiners = (("initials", _refine_initials), ("nationality", _refine_country))
        for _ in range(refine_rounds):
            for col, refine in refiners:
                if col in models:
                    refine(labels[col], pool, models[col], _with_attributes(out), joint)
                    out[col] = pd.Series(_decode(pool, models[col], labels[col]), dtype=object)
    out.attrs["pattern_mining"] = {
        "patterns": len(mined),
        "token_like": int(mined.token_like.sum()),
        **{f"labelled_{c}": len(v) for c, v in labels.items()},
    }
    return _Outcome(guesses=out, mined=mined, pool=pool, labels=labels, models=models)


def pattern_mining_attack(
    view: EncodedView,
    background: dict[str, pd.Series],
    *,
    token_model: Schema | None = None,
    min_support: int = 8,
    rounds: int = 3,
    use_joint: bool = True,
    refine_rounds: int = 2,
) -> pd.DataFrame:
    """Re-identify encoded records by mining frequent bit patterns, without the key.

    ``token_model`` is the public :class:`~linkage.schema.Schema` the filters
    were made under: token types per field and bits per token (the key is
    neither needed nor accepted; the filter length is read from the filters).
    ``None`` means the built-in profile, :func:`linkage.default_schema`, whose
    token model hardening does not change. ``background`` is as from
    :func:`~linkage.privacy.background_frequencies`; with ``use_joint`` its
    whole-tuple frequencies also decide between patterns of similar size (which
    of two equally common countries has more women, or more names starting with
    an A), in ``refine_rounds`` rounds. ``min_support``: fewest filters a mined
    pattern needs; ``rounds``: mining rounds.

    Returns one row per filter with the columns ``initials``, ``birth_year``
    (int), ``nationality`` and ``sex``; ``None`` where the record lacks the
    field. The table's ``attrs["pattern_mining"]`` counts the patterns found and
    the tokens labelled per field.
    """
    if token_model is None:
        from linkage.schema import default_schema

        token_model = default_schema()
    return _run(
        view,
        background,
        token_model,
        min_support=min_support,
        rounds=rounds,
        use_joint=use_joint,
        refine_rounds=refine_rounds,
    ).guesses
