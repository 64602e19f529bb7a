"""安居 Anju: rural housing safety and integrity system."""

__version__ = "0.1.0"
