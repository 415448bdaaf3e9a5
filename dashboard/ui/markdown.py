"""Text from data or from people (ids, names, notes, file names) shown in Streamlit elements that
render markdown: escaped so that it reads as typed and never becomes a link, an image or a format."""

from __future__ import annotations

import re

_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~:$=\"'@&%/])")


def escape_markdown(text: object) -> str:
    """`text` as literal characters in st.markdown, st.caption, st.error and the like."""
    return _MARKDOWN.sub(r"\\\1", str(text)).replace("\r", " ").replace("\n", " ")
