"""linkaudit: a link-rot checker and citation auditor for folders of articles."""

from __future__ import annotations

__all__ = ["__version__"]

__version__ = "0.1.0"
