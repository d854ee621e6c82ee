"""Shared pieces of the personal link tests."""


def tampered(path: str) -> str:
    """A personal link path whose token's last two characters are changed, always to
    something else: a token may itself end in "00", and a test that wrote "00" over it then
    opened the real link (about one run in 256)."""
    token_end = path[-3:-1]
    return path[:-3] + ("11" if token_end == "00" else "00") + "/"
