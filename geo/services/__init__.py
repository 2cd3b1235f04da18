"""Answer the pages' questions from the database: one module per question family (no Streamlit)."""
