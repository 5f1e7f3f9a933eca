"""The leaderboard: a Streamlit app over results/.

    make board                        # or: streamlit run leaderboard/app.py
    DISTILL_RESULTS=DIR make board    # any other results directory

Layers: leaderboard.load reads files (no Streamlit), leaderboard.transforms and .samples are pure
pandas, leaderboard.figures builds plotly figures, and the pages in views/ only draw. (Not pages/:
Streamlit serves a folder of that name as legacy pages of its own, beside st.navigation's.)
"""

import streamlit as st

st.set_page_config(page_title="Small reasoners leaderboard", page_icon=":material/leaderboard:", layout="wide")
st.navigation([
    st.Page("views/board.py", title="Leaderboard", icon=":material/leaderboard:", default=True),
    st.Page("views/gains.py", title="Gains", icon=":material/compare_arrows:"),
    st.Page("views/plots.py", title="Plots", icon=":material/scatter_plot:"),
    st.Page("views/tradeoffs.py", title="Trade-offs", icon=":material/show_chart:"),
    st.Page("views/model.py", title="Model", icon=":material/search:"),
    st.Page("views/rejected.py", title="Rejected files", icon=":material/report:"),
]).run()
