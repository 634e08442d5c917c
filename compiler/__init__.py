"""iamc: a compiler from a Paco project's IAM users to everything that gives
each person their own sign-in and MFA-protected roles in their accounts."""

__version__ = "0.1.0"

from .hookspecs import hookimpl  # noqa: E402  (plugins write `@iamc.hookimpl`)

__all__ = ["__version__", "hookimpl"]
