"""Shared pieces of the sequence-engine tests (.2bit, .nib, FASTA)."""
from __future__ import annotations

import io
import threading


class Unmappable(io.RawIOBase):
    """A seekable binary stream that is neither a real file nor a BytesIO, so readers
    cannot memory-map it and go through trackpack.files.RandomAccess instead."""

    def __init__(self, raw: bytes) -> None:
        self._inner = io.BytesIO(raw)

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def readinto(self, b) -> int:
        return self._inner.readinto(b)

    def seek(self, *args) -> int:
        return self._inner.seek(*args)

    def tell(self) -> int:
        return self._inner.tell()


class CountingStream(Unmappable):
    """An :class:`Unmappable` stream that counts the bytes read from it."""

    def __init__(self, raw: bytes) -> None:
        super().__init__(raw)
        self.bytes_read = 0

    def readinto(self, b) -> int:
        n = super().readinto(b)
        self.bytes_read += n
        return n


def run_in_threads(work, count: int = 4) -> None:
    """Run ``work(i)`` for i in range(count), each in its own thread, all at once; wait."""
    threads = [threading.Thread(target=work, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
