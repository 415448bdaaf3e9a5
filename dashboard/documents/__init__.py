"""Printed documents (the case review, the board pack): HTML pages with a running header, page N of M
and the confidentiality notice, printed to PDF and shot to PNG by the system Chromium."""
