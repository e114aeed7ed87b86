"""AI-visibility analytics on DataForSEO LLM responses: the part with no Streamlit in it."""
