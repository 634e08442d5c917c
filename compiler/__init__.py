"""iamc: a compiler from a Paco project's IAM users to everything that gives
each person their own sign-in and MFA-protected roles in their accounts."""

__version__ = "0.1.0"
