"""File plumbing shared by every format: inputs, atomic outputs, exact random reads.

Standard library only: the pure-Python bigBed reader imports this module.

- :func:`open_input` opens a path, ``stdin``/``-`` or a file object for binary reading and
  decompresses gzip transparently (detected from the magic bytes, not the name).
- :func:`atomic_output` writes to a temporary file next to the target and renames it into
  place only when the block succeeds, so a failed or interrupted job never leaves a file
  that looks valid.
- :class:`RandomAccess` reads exact byte ranges, thread-safely, and turns short reads into
  :class:`~trackpack.errors.FormatError` naming the structure and offset.
"""
from __future__ import annotations

import contextlib
import io
import os
import stat
import sys
import tempfile
import threading
import zlib
from typing import IO, BinaryIO, Iterator, Optional, Union

from .errors import ArgumentError, ClosedFileError, FormatError

__all__ = [
    "STDIN_NAMES",
    "STDOUT_NAMES",
    "open_input",
    "atomic_output",
    "RandomAccess",
    "display_name",
]

PathOrFile = Union[str, "os.PathLike[str]", BinaryIO]

#: Names that mean standard input / output, as kent's tools accept them.
STDIN_NAMES = frozenset({"stdin", "-", "/dev/stdin"})
STDOUT_NAMES = frozenset({"stdout", "-", "/dev/stdout"})

GZIP_MAGIC = b"\x1f\x8b"


def display_name(source: object) -> str:
    """A short name for a path or file object, for error messages."""
    if isinstance(source, (str, os.PathLike)):
        return os.fspath(source)
    name = getattr(source, "name", None)
    return name if isinstance(name, str) else f"<{type(source).__name__}>"


def open_input(source: PathOrFile, *, buffer_size: int = 1 << 20) -> BinaryIO:
    """Open ``source`` for binary reading; gzip input is decompressed transparently.

    ``source`` may be a path, one of :data:`STDIN_NAMES`, or a binary file object
    (which the caller keeps ownership of).  The caller closes the returned stream.
    """
    if isinstance(source, (str, os.PathLike)):
        path = os.fspath(source)
        if path in STDIN_NAMES:
            raw: IO[bytes] = _NonClosing(sys.stdin.buffer)
        else:
            raw = open(path, "rb", buffering=buffer_size)
    elif hasattr(source, "read"):
        raw = _NonClosing(source)
    else:
        raise ArgumentError(
            f"expected a path or a binary file object, got {type(source).__name__}"
        )
    # Our own files are buffered already; streams we don't own get a buffer for peek().
    stream = raw if isinstance(raw, io.BufferedReader) else io.BufferedReader(raw, buffer_size)  # type: ignore[arg-type]
    head = stream.peek(2)[:2]  # type: ignore[attr-defined]
    if head == GZIP_MAGIC:
        return io.BufferedReader(_GzipStream(stream, display_name(source)), buffer_size)  # type: ignore[return-value]
    return stream  # type: ignore[return-value]


class _GzipStream(io.RawIOBase):
    """Decompresses gzip data (all members, as gzip -d does) from ``compressed``.

    Faster than :class:`gzip.GzipFile` for whole-file reading: it inflates large pieces
    with one zlib object per member (zlib checks each member's CRC and length itself).
    Closing it closes ``compressed``.  Truncated or corrupt data is a FormatError.
    """

    PIECE = 1 << 20

    def __init__(self, compressed: IO[bytes], name: str) -> None:
        super().__init__()
        self._raw = compressed
        self.name = name
        self._inflater = zlib.decompressobj(wbits=31)
        self._pending = b""  # inflated bytes not yet handed out
        self._consumed = 0  # compressed bytes read, for error offsets

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[override]
        while not self._pending:
            if not self._fill():
                return 0
        n = min(len(buffer), len(self._pending))
        buffer[:n] = self._pending[:n]
        self._pending = self._pending[n:]
        return n

    def _fill(self) -> bool:
        """Inflate more data into _pending; False at the clean end of the input."""
        inflater = self._inflater
        if inflater.eof:
            rest = inflater.unused_data
            if not rest:
                rest = self._raw.read(self.PIECE)
                self._consumed += len(rest)
                if not rest:
                    return False
            inflater = self._inflater = zlib.decompressobj(wbits=31)  # next member
            data = rest
        else:
            data = inflater.unconsumed_tail or self._raw.read(self.PIECE)
            if not inflater.unconsumed_tail:
                self._consumed += len(data)
            if not data:
                raise FormatError("gzip data ends before its last member is complete (truncated file)",
                                  path=self.name, offset=self._consumed)
        try:
            self._pending = inflater.decompress(data, 4 * self.PIECE)
        except zlib.error as err:
            raise FormatError(f"corrupt gzip data ({err})", path=self.name, offset=self._consumed) from err
        return True

    def close(self) -> None:
        if not self.closed:
            self._raw.close()
        super().close()


class _NonClosing(io.RawIOBase):
    """Wraps a stream the caller owns so that closing our wrapper leaves it open."""

    def __init__(self, inner: IO[bytes]) -> None:
        super().__init__()
        self._inner = inner
        self.name = getattr(inner, "name", "<stream>")

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[override]
        if hasattr(self._inner, "readinto"):
            return self._inner.readinto(buffer)
        data = self._inner.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def read(self, n: int = -1) -> bytes:  # type: ignore[override]
        return self._inner.read(n)


_UMASK: Optional[int] = None


def _file_mode() -> int:
    """Permission bits a plain open() would give a new file (0666 minus the umask)."""
    global _UMASK
    if _UMASK is None:
        _UMASK = os.umask(0o022)
        os.umask(_UMASK)
    return 0o666 & ~_UMASK


@contextlib.contextmanager
def atomic_output(
    target: Union[str, "os.PathLike[str]"], mode: str = "wb", *, errors: str = "strict"
) -> Iterator[IO]:
    """Yield a file to write ``target`` through; rename it into place on success.

    The temporary file lives in the target's directory (so the rename is atomic) and is
    removed if the block raises, including on KeyboardInterrupt.  An existing target keeps
    its permissions, and a symbolic link is written through (its target is replaced).
    ``stdout``/``-`` write to standard output; an existing non-regular file (``/dev/null``,
    a FIFO) is written directly.  ``mode`` is ``"wb"`` or ``"w"`` (UTF-8 text, ``\\n``
    newlines, encoding ``errors`` as for :func:`open`: ``"surrogateescape"`` writes back
    bytes that were read with it).  Problems creating the file are OSErrors naming
    ``target``, never the temporary name.
    """
    if mode not in ("wb", "w"):
        raise ArgumentError(f"atomic_output mode must be 'wb' or 'w', not {mode!r}")
    text_args = {"encoding": "utf-8", "newline": "\n", "errors": errors} if mode == "w" else {}
    path = os.fspath(target)
    if path in STDOUT_NAMES:
        out = sys.stdout.buffer
        if mode == "w":
            text = io.TextIOWrapper(out, write_through=False, **text_args)
            try:
                yield text
            finally:
                text.flush()
                text.detach()
        else:
            yield out
            out.flush()
        return
    real = os.path.realpath(path)  # write through symbolic links, as kent's tools do
    try:
        st = os.stat(real)
    except FileNotFoundError:
        st = None
    if st is not None and not stat.S_ISREG(st.st_mode):
        with open(path, mode, **text_args) as f:
            yield f
        return
    file_mode = stat.S_IMODE(st.st_mode) if st is not None else _file_mode()
    try:
        fd, tmp = tempfile.mkstemp(
            prefix="." + os.path.basename(real) + ".", suffix=".part", dir=os.path.dirname(real)
        )
    except OSError as err:
        raise OSError(err.errno, err.strerror, path) from None
    try:
        f = os.fdopen(fd, mode, buffering=1 << 20, **text_args)
        with f:
            yield f
        os.chmod(tmp, file_mode)
        os.replace(tmp, real)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


class RandomAccess:
    """Exact, thread-safe reads of byte ranges from a file path or binary file object.

    Paths are read with ``os.pread`` (no shared file position, so threads need no lock);
    file objects are read under a lock.  Every read checks its length: a short read is a
    :class:`FormatError` naming the structure and offset, never silently short data.
    """

    def __init__(self, source: PathOrFile) -> None:
        self.name = display_name(source)
        self._lock = threading.Lock()
        self._owned = False
        self._fd: Optional[int] = None
        self._file: Optional[BinaryIO] = None
        if isinstance(source, (str, os.PathLike)):
            self._file = open(os.fspath(source), "rb", buffering=0)
            self._owned = True
            if hasattr(os, "pread"):
                self._fd = self._file.fileno()
            self.size = os.fstat(self._file.fileno()).st_size
        elif hasattr(source, "read") and hasattr(source, "seek"):
            self._file = source  # type: ignore[assignment]
            with self._lock:
                here = source.tell()
                self.size = source.seek(0, io.SEEK_END)
                source.seek(here)
        else:
            raise ArgumentError(
                f"expected a path or a seekable binary file object, got {type(source).__name__}"
            )

    def read(self, offset: int, size: int, what: str = "data") -> bytes:
        """Return exactly ``size`` bytes at ``offset``, or raise FormatError naming ``what``."""
        if self._file is None:
            raise ClosedFileError("read from a closed file", path=self.name)
        if offset < 0 or size < 0 or offset + size > self.size:
            raise FormatError(
                f"{what} of {size} bytes at offset {offset} runs past the end of the file "
                f"({self.size} bytes); the file is truncated or an offset is corrupt",
                path=self.name,
                offset=offset,
            )
        if self._fd is not None:
            data = os.pread(self._fd, size, offset)
        else:
            with self._lock:
                self._file.seek(offset)
                data = self._file.read(size)
        if len(data) != size:
            raise FormatError(
                f"short read of {what}", path=self.name, offset=offset, expected=size, found=len(data)
            )
        return data

    def close(self) -> None:
        """Close the file if this object opened it (file objects stay the caller's)."""
        if self._owned and self._file is not None:
            self._file.close()
        self._file = None
        self._fd = None

    @property
    def closed(self) -> bool:
        return self._file is None

    def __enter__(self) -> "RandomAccess":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
