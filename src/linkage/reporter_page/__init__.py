"""The offline reporter page: one HTML file with which a reporter encodes and signs in the browser.

``linkage reporter-page --out page.html`` writes it (:func:`write_reporter_page`).
The page reads a reporter's CSV or XLSX export, normalises, encodes and signs
it exactly as ``linkage encode`` does -- byte for byte, given the same record-id
randomness -- with the browser's Web Crypto, and never connects to anything.
See ``docs/reporter-page.md``.
"""

from linkage.reporter_page._build import (
    LANGUAGES,
    ReporterPage,
    build_reporter_page,
    check_value,
    write_reporter_page,
)

__all__ = ["LANGUAGES", "ReporterPage", "build_reporter_page", "check_value", "write_reporter_page"]
