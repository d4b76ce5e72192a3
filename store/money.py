"""Money without floats: an amount is a whole number of a currency's minor units (won, cents).

`parse_amount` reads what people type: `1,200,000`, `₩1,200,000`, `1.2m`, `120만`, `1억 2천만`, `USD 1,500.50`,
`1500 usd`, `3k`. The currency is the one named (symbol or ISO code), else the workspace's.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from babel.numbers import get_currency_precision, list_currencies

from store.errors import Invalid

MAX_AMOUNT = Decimal(10) ** 15  # in major units: more than any deal this CRM will see
SYMBOLS = {"₩": "KRW", "원": "KRW", "$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY", "円": "JPY"}
_LATIN = {"k": 10**3, "m": 10**6, "mn": 10**6, "mil": 10**6, "b": 10**9, "bn": 10**9}
_KOREAN = {"천": 10**3, "만": 10**4, "억": 10**8, "조": 10**12}
_CODE = re.compile(r"\b([A-Za-z]{3})\b")
_KOREAN_GROUP = re.compile(r"(\d+(?:\.\d+)?)\s*([천만억조]+)|(\d+(?:\.\d+)?)")
_PLAIN = re.compile(r"^(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?\s*([a-z]{0,3})$")
_CURRENCIES = frozenset(list_currencies())


def currency_code(text: str | None, *, field: str = "currency") -> str:
    """An ISO 4217 code (`krw`, `KRW`, `₩`), or Invalid."""
    raw = (text or "").strip()
    code = SYMBOLS.get(raw, raw.upper())
    if code not in _CURRENCIES:
        raise Invalid("currency_unknown", field=field, text=raw[:20])
    return code


def minor_digits(currency: str) -> int:
    return get_currency_precision(currency)


def parse_amount(text: str | None, default_currency: str, *, field: str = "amount") -> tuple[int, str]:
    """(minor units, currency). Raises Invalid for empty, negative, non-numeric or over-precise amounts."""
    raw = (text or "").strip()
    if not raw:
        raise Invalid("amount_missing", field=field)
    s = raw.replace("\u00a0", " ").replace("_", "")
    if s.startswith("-") or s.startswith("−"):
        raise Invalid("amount_negative", field=field)
    currency = default_currency
    for symbol, code in SYMBOLS.items():
        if symbol in s:
            currency, s = code, s.replace(symbol, " ")
    code = _CODE.search(s)
    if code and code.group(1).upper() in _CURRENCIES:
        currency, s = code.group(1).upper(), s[:code.start()] + " " + s[code.end():]
    s = s.strip()
    value = _korean(s) if any(ch in s for ch in _KOREAN) else _plain(s.lower().replace(" ", ""))
    if value is None:
        raise Invalid("amount_invalid", field=field, text=raw[:40])
    if value >= MAX_AMOUNT:
        raise Invalid("amount_too_large", field=field)
    digits = minor_digits(currency)
    minor = value * (Decimal(10) ** digits)
    if minor != minor.to_integral_value():
        if digits == 0:
            raise Invalid("amount_whole", field=field, currency=currency)
        raise Invalid("amount_precision", field=field, currency=currency, digits=digits)
    return int(minor), currency


def _plain(s: str) -> Decimal | None:
    m = _PLAIN.match(s)
    if not m:
        return None
    whole, frac, suffix = m.group(1).replace(",", ""), m.group(2), m.group(3)
    if suffix and suffix not in _LATIN:
        return None
    try:
        value = Decimal(f"{whole}.{frac}" if frac else whole)
    except InvalidOperation:
        return None
    return value * _LATIN.get(suffix, 1)


def _korean(s: str) -> Decimal | None:
    """`120만`, `1.2억`, `1억 2천만` (groups add up; units in a group multiply: 천만 = 10⁷)."""
    s = s.replace(",", "")
    total, pos = Decimal(0), 0
    for m in _KOREAN_GROUP.finditer(s):
        if s[pos:m.start()].strip():
            return None
        number = Decimal(m.group(1) or m.group(3))
        for unit in m.group(2) or "":
            number *= _KOREAN[unit]
        total += number
        pos = m.end()
    return total if pos and not s[pos:].strip() else None
