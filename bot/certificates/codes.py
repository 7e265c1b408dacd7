"""Verification codes: an HMAC over the record id, in Crockford's base32, grouped for reading aloud.

A code is 16 symbols (80 bits of HMAC-SHA256): unguessable, and unforgeable without the secret. Verifying
recomputes the HMAC, so changing any symbol makes a code invalid. Parsing is strict: only the 32 symbols of the
alphabet (either case) and the group separators are accepted; anything else is refused before a lookup.
"""

from __future__ import annotations

import hashlib
import hmac
import re

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH = 16
GROUP = 4
_DOMAIN = b"wego-certificate-v1:"
_SEPARATORS = re.compile(r"[\s\-]+")


class CodeFormatError(ValueError):
    """The text cannot be a code: wrong length or a symbol outside the alphabet."""


def _encode(digest: bytes) -> str:
    number = int.from_bytes(digest[: LENGTH * 5 // 8], "big")
    symbols = []
    for _ in range(LENGTH):
        symbols.append(ALPHABET[number & 31])
        number >>= 5
    return "".join(reversed(symbols))


def sign(record_id: int, secret: bytes) -> str:
    """The canonical code of a record: 16 symbols, no separators."""
    mac = hmac.new(secret, _DOMAIN + str(record_id).encode(), hashlib.sha256).digest()
    return _encode(mac)


def group(code: str) -> str:
    """`ABCD-EFGH-JKMN-PQRS`: how people see a code."""
    return "-".join(code[i : i + GROUP] for i in range(0, len(code), GROUP))


def normalize(text: str) -> str:
    """The canonical form of a typed code, or CodeFormatError."""
    compact = _SEPARATORS.sub("", text).upper()
    if len(compact) != LENGTH:
        raise CodeFormatError(f"a code has {LENGTH} symbols, this has {len(compact)}")
    if any(symbol not in ALPHABET for symbol in compact):
        raise CodeFormatError("a code uses only digits and the letters A-Z without I, L, O and U")
    return compact


def verify(code: str, record_id: int, secret: bytes) -> bool:
    """True when `code` (any accepted spelling) is the signature of `record_id` under `secret`."""
    try:
        canonical = normalize(code)
    except CodeFormatError:
        return False
    return hmac.compare_digest(canonical, sign(record_id, secret))
