"""The one exception the engine raises for input the user can fix.

Its message is a single plain sentence saying what is wrong and what to do; the command
line prints it and exits with status 2, the app shows it in a box. Anything else that
escapes is a bug.
"""


class InputError(Exception):
    """Bad input: missing, empty, unreadable, not a video or image, or unusable."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message
