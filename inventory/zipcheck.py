"""Reading zip files users upload (XLSX workbooks, Office documents) without letting a
small file inflate into gigabytes: every entry's declared size is checked against a cap
before it is read, and no read returns more than the cap, whatever the entry claims.

zipfile itself stops an entry at its declared size and fails its CRC check when the data
goes on, so an entry that lies about its size cannot get past the declared cap either.
"""

import zipfile


class ZipTooLarge(ValueError):
    """An entry, or the archive as a whole, would inflate beyond its cap."""

    def __init__(self, name: str, size: int, limit: int):
        super().__init__(f"{name}: {size} bytes, more than {limit}")
        self.name = name
        self.size = size
        self.limit = limit


def check_sizes(
    archive: zipfile.ZipFile,
    *,
    entry_limit: int,
    total_limit: int,
    limits: dict[str, int] | None = None,
) -> None:
    """ZipTooLarge if any entry declares more than its limit (`limits` by name, else
    `entry_limit`) or all entries together more than `total_limit`."""
    limits = limits or {}
    total = 0
    for info in archive.infolist():
        limit = limits.get(info.filename, entry_limit)
        if info.file_size > limit:
            raise ZipTooLarge(info.filename, info.file_size, limit)
        total += info.file_size
        if total > total_limit:
            raise ZipTooLarge("", total, total_limit)


def read_entry(archive: zipfile.ZipFile, name: str, *, limit: int) -> bytes:
    """An entry's bytes, refused (ZipTooLarge) when it declares or holds more than
    `limit` bytes; KeyError if there is no such entry."""
    info = archive.getinfo(name)
    if info.file_size > limit:
        raise ZipTooLarge(name, info.file_size, limit)
    with archive.open(info) as entry:
        data = entry.read(limit + 1)
    if len(data) > limit:
        raise ZipTooLarge(name, len(data), limit)
    return data
