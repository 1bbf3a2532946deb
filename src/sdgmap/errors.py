"""Errors the user can fix. The CLI and web show them as one clear message, never a traceback."""


class UserError(ValueError):
    """Input the user controls is wrong: the message names the file, line or field."""
