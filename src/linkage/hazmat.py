"""Raw primitives: the same door as :mod:`linkage.encode.hazmat`, kept at this short path.

Dangerous: you should not need these to link records. See :mod:`linkage.encode.hazmat`.
"""

from linkage.encode.hazmat import *  # noqa: F403
from linkage.encode.hazmat import __all__ as __all__
