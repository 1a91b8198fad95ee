"""Streamlit pages and pieces of the app (the only place Streamlit is imported)."""
