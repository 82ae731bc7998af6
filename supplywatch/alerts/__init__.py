"""Community drug alerts: the model channels render, the store that keeps every version, and safe text."""

from .model import Alert, AlertText

__all__ = ["Alert", "AlertText"]
