"""sdgnet: the digital home of a network of municipalities working towards the SDGs."""

__version__ = "0.1.0"
