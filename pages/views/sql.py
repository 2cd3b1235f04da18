"""SQL (officials only): read-only queries on the atlas database, shown as a table, downloadable as CSV."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from geo.errors import AtlasError
from geo.services import catalog, sqlconsole
from geo.text import markdown_text
from ui import state

#: Session-state key of the last result (kept so a download click, which reruns the page, still has it).
RESULT_KEY = "sql_last_result"

EXAMPLE = "select category, count(*) as places\nfrom places\ngroup by all\norder by places desc"


def render() -> None:
    """The query form, the last result as a table, and its CSV download."""
    st.title("SQL")
    s = state.app_settings()
    st.caption(
        f"Read-only SQL on the atlas database: {sqlconsole.ALLOWED_TEXT}. A query may run {s.sql_timeout_s:d} s "
        f"and show at most {s.sql_row_limit:,} rows. The database is attached read-only; files, extensions, "
        "the network and settings are out of reach."
    )
    state.provenance_note()
    with st.expander("Tables and row counts"):
        counts = state.call(catalog.tables)
        st.dataframe(pd.DataFrame({"table": list(counts), "rows": list(counts.values())}),
                     hide_index=True, width="stretch")
        st.caption("`describe TABLE` lists a table's columns; `summarize TABLE` profiles them.")
    with st.form("sql_form"):
        query = st.text_area("Query", value=EXAMPLE, height=180, key="sql_query")
        limit = st.number_input("Row limit", min_value=1, max_value=s.sql_row_limit,
                                value=min(1000, s.sql_row_limit), step=100, key="sql_limit")
        submitted = st.form_submit_button("Run", type="primary")
    if submitted:
        try:
            st.session_state[RESULT_KEY] = (query, state.run_sql(query, row_limit=int(limit)))
        except AtlasError as exc:
            st.session_state.pop(RESULT_KEY, None)
            st.error(markdown_text(exc))
            return
    stored = st.session_state.get(RESULT_KEY)
    if stored is None:
        return
    ran, result = stored
    frame = result.frame
    note = (f"{len(frame):,} rows in {result.seconds:.2f} s"
            + (f"; stopped at the row limit of {result.row_limit:,}, the query has more." if result.truncated else "."))
    if result.truncated:
        st.warning(note)  # trusted-text: counts and seconds formatted above
    else:
        st.caption(note)  # trusted-text: counts and seconds formatted above
    st.dataframe(frame, hide_index=True, width="stretch")
    st.download_button("Download CSV", sqlconsole.csv_bytes(frame), file_name="atlas-query.csv", mime="text/csv",
                       help="UTF-8 with a byte-order mark (Excel reads Thai). The rows shown, for the query above.")
    with st.expander("Query of these rows"):
        st.code(ran, language="sql")


state.guard(render)
