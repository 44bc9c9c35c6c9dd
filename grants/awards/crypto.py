"""Encryption of grantee bank details with a dedicated key set (settings.BANK_DETAILS_KEYS, newest first).

MultiFernet decrypts with any listed key and encrypts with the first, so keys rotate by prepending a new one and
running `rotate()` over the rows. Decrypting is only done through `grants.awards.services.bank_details_reveal`,
which writes an audit entry naming the user and the purpose.
"""

from functools import lru_cache

from cryptography.fernet import Fernet, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


@lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ImproperlyConfigured("BANK_DETAILS_KEYS is empty: set at least one Fernet key to store bank details.")
    return MultiFernet([Fernet(key.encode() if isinstance(key, str) else key) for key in keys])


def _current() -> MultiFernet:
    return _fernet(tuple(settings.BANK_DETAILS_KEYS))


def encrypt(value: str) -> str:
    return _current().encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    return _current().decrypt(token.encode()).decode()


def rotate(token: str) -> str:
    return _current().rotate(token.encode()).decode()
