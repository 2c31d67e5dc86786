"""Korean news pages to Parquet tables of policy events."""
__version__ = "0.1.0"
