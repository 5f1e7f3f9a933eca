"""The Streamlit leaderboard over results/: `make board` (or `streamlit run leaderboard/app.py`).

    load.py        reads every entry into tidy tables, rejecting bad files with reasons (no Streamlit)
    transforms.py  pure pandas: the main table, filters, teacher links, distillation gains
    samples.py     the sample browser's tables, graded by distill.grading
    figures.py     plotly figures
    ui.py          cached loading and drawing helpers shared by the pages
    app.py         the router; views/ holds one file per page (not pages/: Streamlit would also serve
                   a folder of that name as a second, legacy set of pages)
"""
