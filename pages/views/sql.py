"""SQL (officials only): read-only queries on the atlas database, shown as a table, downloadable as CSV."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from geo.errors import AtlasError
from geo.i18n import _
from geo.services import catalog, sqlconsole
from geo.text import markdown_text
from ui import state

#: Session-state key of the last result (kept so a download click, which reruns the page, still has it).
RESULT_KEY = "sql_last_result"

EXAMPLE = "select category, count(*) as places\nfrom places\ngroup by all\norder by places desc"


def render() -> None:
    """The query form, the last result as a table, and its CSV download."""
    st.title(_("SQL"))
    s = state.app_settings()
    st.caption(
        _("Read-only SQL on the atlas database: {allowed}. A query may run {seconds} s and show at most {rows} rows. "
          "The database is attached read-only; files, extensions, the network and settings are out of reach.").format(
            allowed=sqlconsole.ALLOWED_TEXT, seconds=f"{s.sql_timeout_s:d}", rows=f"{s.sql_row_limit:,}")
    )
    state.provenance_note()
    with st.expander(_("Tables and row counts")):
        counts = state.call(catalog.tables)
        st.dataframe(pd.DataFrame({"table": list(counts), "rows": list(counts.values())}),
                     hide_index=True, width="stretch")
        st.caption(_("`describe TABLE` lists a table's columns; `summarize TABLE` profiles them."))
    with st.form("sql_form"):
        query = st.text_area(_("Query"), value=EXAMPLE, height=180, key="sql_query")
        limit = st.number_input(_("Row limit"), min_value=1, max_value=s.sql_row_limit,
                                value=min(1000, s.sql_row_limit), step=100, key="sql_limit")
        submitted = st.form_submit_button(_("Run"), type="primary")
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
    note = (_("{n} rows in {seconds} s; stopped at the row limit of {limit}, the query has more.") if result.truncated
            else _("{n} rows in {seconds} s.")).format(n=f"{len(frame):,}", seconds=f"{result.seconds:.2f}",
                                                       limit=f"{result.row_limit:,}")
    if result.truncated:
        st.warning(note)  # trusted-text: counts and seconds formatted above
    else:
        st.caption(note)  # trusted-text: counts and seconds formatted above
    st.dataframe(frame, hide_index=True, width="stretch")
    st.download_button(_("Download CSV"), sqlconsole.csv_bytes(frame), file_name="atlas-query.csv", mime="text/csv",
                       help=_("UTF-8 with a byte-order mark (Excel reads Thai). The rows shown, for the query above."))
    with st.expander(_("Query of these rows")):
        st.code(ran, language="sql")


state.guard(render)
