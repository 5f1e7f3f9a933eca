"""The Streamlit leaderboard over results/: `make board` (or `streamlit run leaderboard/app.py`).

    load.py        reads every entry into tidy tables, rejecting bad files with reasons; reads per-question
                   outcomes from the samples on demand (no Streamlit)
    transforms.py  pure pandas: names, the main table with its fair ranking, seed groups, filters, references
    stats.py       pure statistics: exact paired tests (McNemar; over seeds), Wilson and paired intervals, base rates
    compare.py     pure pandas over per-question outcomes: base rates, answer flags, paired comparisons, the
                   trade-offs along a sweep
    samples.py     the sample browser's tables and per-question outcomes, graded by distill.grading
    figures.py     plotly figures
    readme.py      the README's generated results section
    ui.py          cached loading, URL-backed widgets and drawing helpers shared by the pages
    app.py         the router; views/ holds one file per page (not pages/: Streamlit would also serve
                   a folder of that name as a second, legacy set of pages)
"""
