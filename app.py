"""Tourism Atlas — Streamlit entry point: page config and navigation (page scripts live in pages/views/, see pages/README.md)."""

from __future__ import annotations

import streamlit as st

from geo.i18n import _
from ui import auth, lang, state

# The reader's language first (sidebar, ?lang=, browser), before any string below is built (ui/lang.py).
lang.choose_language()
st.set_page_config(page_title=_("Tourism Atlas · Chiang Mai"), page_icon="🗺️", layout="wide")

#: Every page by its URL name (the ``url_path``; the landing page's own ``url_path`` reads "" once it is the
#: default, so the names are spelled out here for the public-mode choice).
PAGES = {
    "map": st.Page("pages/views/atlas_map.py", title=_("Atlas map"), icon=":material/map:", url_path="map", default=True),
    "overview": st.Page("pages/views/overview.py", title=_("Overview"), icon=":material/monitoring:", url_path="overview"),
    "density": st.Page("pages/views/density.py", title=_("Visitor density"), icon=":material/local_fire_department:",
                       url_path="density"),
    "flows": st.Page("pages/views/flows.py", title=_("Flows and routes"), icon=":material/route:", url_path="flows"),
    "capacity": st.Page("pages/views/capacity.py", title=_("Accommodation and capacity"), icon=":material/hotel:",
                        url_path="capacity"),
    "places": st.Page("pages/views/places.py", title=_("Places"), icon=":material/place:", url_path="places"),
    # officials only (not in geo.settings.PUBLIC_PAGES): event days against baseline days are day-level figures
    "events": st.Page("pages/views/events.py", title=_("Events and forecast"), icon=":material/celebration:",
                      url_path="events"),
    "data": st.Page("pages/views/data.py", title=_("Data"), icon=":material/database:", url_path="data"),
    "sql": st.Page("pages/views/sql.py", title=_("SQL"), icon=":material/terminal:", url_path="sql"),
}

#: Public mode (ATLAS_MODE=public) serves the published file through scripts of its own under the same addresses
#: (the Atlas map shows public facts and is shared): they read only published rows (geo.services.public).
PUBLIC_SCRIPTS = {
    "overview": "pages/views/public/overview.py",
    "density": "pages/views/public/density.py",
    "flows": "pages/views/public/flows.py",
    "capacity": "pages/views/public/capacity.py",
    "places": "pages/views/public/places.py",
}
if state.app_settings().is_public:
    PAGES = {name: st.Page(PUBLIC_SCRIPTS[name], title=page.title, icon=page.icon, url_path=name)
             if name in PUBLIC_SCRIPTS else page for name, page in PAGES.items()}

# Public mode serves only the pages whose every figure passes the privacy floor (geo.settings.PUBLIC_PAGES);
# the others are not registered, so their addresses open the landing page instead.
served = {name: page for name, page in PAGES.items() if state.app_settings().serves_page(name)}
# Officials' sign-in (ui/auth.py): until this session has signed in, every address shows the sign-in form and
# no page script runs.
auth.require_signin(served)
st.navigation(list(served.values())).run()
