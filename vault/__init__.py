"""Key custody and every cryptographic operation in Harbor.

Nothing outside this package imports ``cryptography``. See docs/architecture.md.
"""
