"""veche: the system a deliberative body runs itself with."""

__version__ = "0.1.0"
