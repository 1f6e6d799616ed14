"""Ids and whole numbers as they arrive in URLs, forms, query strings, JSON bodies and imports.

Every id, version number, phase number and cursor fits the database's integer column, so the one
limit is `ID_MAX`. Anything outside it names nothing: pages answer 404, forms and the API 422.
"""

# The largest value of a 32-bit signed integer column, the type of every id.
ID_MAX = 2**31 - 1
# Enough digits for any number up to ID_MAX; longer text is refused before int() reads it.
DIGITS_MAX = len(str(ID_MAX))


def whole(value, low: int = 0, high: int = ID_MAX) -> int | None:
    """Return `value` as a whole number from `low` to `high`, given as an int or as ASCII digits; None otherwise.

    "²" and "٣" are digits to str.isdigit, and a bool is an int to Python; neither is a number here.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if low <= value <= high else None
    if isinstance(value, str):
        text = value.lstrip("0") or ("0" if value else "")
        if text and text.isascii() and text.isdigit() and len(text) <= DIGITS_MAX and low <= int(text) <= high:
            return int(text)
    return None


def number_or_text(value):
    """Return digits as their number, so a service checks a number; anything else unchanged, for it to refuse.

    Forms and query strings send text: "3" becomes 3, while "", "three" or a number past ID_MAX stay as they
    came and get the service's message naming the field.
    """
    number = whole(value)
    return number if number is not None and isinstance(value, str) else value


def _at_most(limit: int) -> str:
    """Return a regex for the whole numbers 0..limit in digits (leading zeros allowed)."""
    digits = str(limit)
    options = [rf"\d{{1,{len(digits) - 1}}}"] if len(digits) > 1 else []
    for place, digit in enumerate(digits):
        if digit != "0":
            rest = len(digits) - place - 1
            options.append(f"{digits[:place]}[0-{int(digit) - 1}]" + (rf"\d{{{rest}}}" if rest else ""))
    return "0*(?:" + "|".join(options + [digits]) + ")"


# The digits of an id in a URL: a larger number does not match, so it is a 404 whatever the method.
ID_PATTERN = _at_most(ID_MAX)
