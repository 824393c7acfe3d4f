"""``finflag serve``: a local review app on a report folder (Starlette, Jinja2 templates, SQLite decisions).

corpus  the report folder as the app reads it: results cached by file identity, index rows, filters
app     the routes (one table), pages, the decision endpoint and the guards around them
"""
