"""A Datasette plugin for govscan databases: ``unz(blob)`` reads the compressed columns.

    datasette govscan.db --plugins-dir deploy/datasette

Two columns are compressed: ``bodies.body`` (a page as served, bytes; zstd, or zlib in
databases written before issue 14) and ``artifacts.data`` (JSON, zlib). With the plugin:

    select kind, unz(data) from artifacts where page_id = 12
    select sha256, unz(body) from bodies where sha256 = (select body_sha256 from pages
                                                          where id = 12)
"""

import zlib

from datasette import hookimpl


def unz(blob):
    """The text of a compressed column, zstd or zlib (UTF-8, undecodable bytes replaced)."""
    if blob is None:
        return None
    try:
        if bytes(blob[:4]) == b"\x28\xb5\x2f\xfd":  # a zstd frame
            import zstandard

            return zstandard.decompress(blob).decode("utf-8", "replace")
        return zlib.decompress(blob).decode("utf-8", "replace")
    except Exception:  # noqa: BLE001 - not a compressed column: show nothing
        return None


@hookimpl
def prepare_connection(conn):
    conn.create_function("unz", 1, unz)
