"""Streamlit-only helpers: the page shell, cached loaders, chart theme, safe rendering."""
