"""The domain core: reading exports, matching, writing and checking reports.

Nothing in this package imports Flask or xlwings, so the command line, the web
views and the add-in endpoints share one implementation.
"""
