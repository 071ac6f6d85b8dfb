"""preflight: says whether a Basecone external migration may start, and what blocks it."""

__version__ = "0.1.0"
