"""Documents people read, made from live data through the API: the year's results report
(`results.py`, as PDF and self-contained HTML) and the grant decision letters (`letters.py`).

Fetching (`fetch.py`) is kept apart from rendering (`charts.py`, the templates), and the
heavy libraries (matplotlib, typst, jinja2) are imported only when a document is made, so
`kvf --help` stays fast.
"""
