"""The Daxing work-style regulation as a rules-as-data knowledge base."""

__version__ = "0.1.0"
