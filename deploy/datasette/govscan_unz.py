"""A Datasette plugin for govscan databases: ``unz(blob)`` reads the compressed columns.

    datasette govscan.db --plugins-dir deploy/datasette

Two columns are zlib-compressed: ``bodies.body`` (a page as served, bytes) and
``artifacts.data`` (JSON). With the plugin:

    select kind, unz(data) from artifacts where page_id = 12
    select sha256, unz(body) from bodies where sha256 = (select body_sha256 from pages
                                                          where id = 12)
"""

import zlib

from datasette import hookimpl


def unz(blob):
    """The text of a zlib-compressed column (UTF-8, undecodable bytes replaced)."""
    if blob is None:
        return None
    try:
        return zlib.decompress(blob).decode("utf-8", "replace")
    except (zlib.error, TypeError):
        return None


@hookimpl
def prepare_connection(conn):
    conn.create_function("unz", 1, unz)
