"""Streaming FASTA reading and writing, following kent's rules (src/lib/fa.c).

Reading:

- A record starts at a line beginning with ``>``; its name is the first word after the
  ``>`` (leading blanks skipped), the rest of the line is a free-text description.
- Sequence lines may be wrapped at any width, end in LF or CRLF, and be separated by
  blank lines.  Only letters and ``-`` are sequence characters; everything else on a
  sequence line (whitespace, digits, ``*``, ``.``) is dropped, exactly as kent's
  ``faMixedSpeedReadNext`` drops it.
- Input may be plain or gzip-compressed, a path, ``stdin``/``-`` or a file object (binary,
  or text such as ``io.StringIO``).
- Empty input, or text whose first non-blank line is not a ``>`` header, is a
  :class:`~trackpack.errors.FormatError` naming the file and line.  (kent also rejects
  blank lines before the first header; trackpack skips them.)

:func:`read_fasta` gives (name, sequence) records, :func:`scan_fasta` headers and raw
sequence text; the .2bit writer takes the raw chunks of :func:`read_chunks` and applies
the same rules in C (``TwoBitRecordWriter`` in cext/seqcodec.pyx).

Writing: :func:`format_fasta` renders one record the way kent's tools do
(``faWriteNext``): a ``>name`` line, then the bases in lines of 50.
"""
from __future__ import annotations

import codecs
import contextlib
import io
import os
import queue
import stat
import threading
from typing import Dict, Iterable, Iterator, List, NamedTuple, Optional, Tuple, Union

from . import _kernels
from .errors import ArgumentError, FormatError
from .files import GZIP_MAGIC, STDIN_NAMES, PathOrFile, display_name, open_input

__all__ = [
    "FastaHeader",
    "read_fasta",
    "scan_fasta",
    "read_chunks",
    "text_size",
    "format_fasta",
    "write_fasta",
    "reverse_complement",
    "sequence_pairs",
    "SEQUENCE_CHARACTERS",
    "FASTA_LINE_WIDTH",
]

_codec = _kernels.load("seqcodec")

#: Bytes kent keeps on sequence lines: letters and the gap character.
SEQUENCE_CHARACTERS = bytes(range(ord("A"), ord("Z") + 1)) + bytes(range(ord("a"), ord("z") + 1)) + b"-"
#: Bases per line in the FASTA that kent's tools write.
FASTA_LINE_WIDTH = 50

_KEEP = bytes(1 if b in SEQUENCE_CHARACTERS else 0 for b in range(256))
_CHUNK = 4 << 20
_PREFETCH = 6
_BATCH_ITEMS = 2048
_BOM = codecs.BOM_UTF8
_BLANK = b" \t\r\n\v\f"


class FastaHeader(NamedTuple):
    """A ``>`` line: the record's name (first word), 1-based line number and full text."""

    name: str
    line: int
    text: str


def _decode_name(raw: bytes) -> str:
    # surrogateescape keeps any byte sequence exactly, so names round-trip to the same bytes.
    return raw.decode("utf-8", "surrogateescape")


def _parse_header(raw: bytes, line: int, path: str) -> FastaHeader:
    """``raw`` is the header line without its ``>`` and newline."""
    words = raw.split(None, 1)
    if not words:
        raise FormatError("expecting a sequence name after '>'", path=path, line=line)
    return FastaHeader(_decode_name(words[0]), line, _decode_name(raw.rstrip(b"\r")))


def scan_fasta(
    source: PathOrFile, *, chunk_size: int = _CHUNK, background: bool = True
) -> Iterator[Union[FastaHeader, memoryview]]:
    """Split FASTA input into :class:`FastaHeader` items and raw sequence text chunks.

    Sequence text comes as read-only memoryviews holding the lines between headers
    verbatim, newlines included: consumers keep only the characters they need.  This is
    the fast path under :func:`read_fasta` and the .2bit / .nib writers; memory stays at
    a few chunks whatever the record sizes.

    With ``background`` (default) reading, decompression and scanning run in a helper
    thread a few chunks ahead of the consumer, so they overlap with its work.
    """
    path = display_name(source)
    if not background:
        yield from _scan_source(source, path, chunk_size)
        return
    # The helper thread hands over lists of items: one queue transfer per list instead of
    # two per record keeps inputs of many short records (contigs, reads) fast.
    for batch in _in_background(lambda: _batches(_scan_source(source, path, chunk_size), chunk_size), _PREFETCH):
        yield from batch


def _batches(items: Iterator, chunk_size: int) -> Iterator[list]:
    """Group ``items`` into lists of at most _BATCH_ITEMS items or about ``chunk_size``
    bytes of text.  An error comes after the items that preceded it, as unbatched."""
    batch: list = []
    size = 0
    try:
        for item in items:
            batch.append(item)
            if type(item) is memoryview:
                size += len(item)
            if size >= chunk_size or len(batch) >= _BATCH_ITEMS:
                yield batch
                batch = []
                size = 0
    except Exception:
        if batch:
            yield batch
        raise
    if batch:
        yield batch


def _scan_source(source: PathOrFile, path: str, chunk_size: int) -> Iterator[Union[FastaHeader, memoryview]]:
    with _open_text(source) as stream:
        yield from _scan(stream, path, chunk_size)


def text_size(sources: Iterable[PathOrFile]) -> Optional[int]:
    """Bytes of text in FASTA inputs when known up front (plain files only), else None:
    the total a progress display can show.  Standard input, pipes, file objects and gzip
    files (whose text is larger than the file by an unknown factor) give None."""
    total = 0
    for source in sources:
        if not isinstance(source, (str, os.PathLike)) or os.fspath(source) in STDIN_NAMES:
            return None
        try:
            st = os.stat(source)
            if not stat.S_ISREG(st.st_mode):
                return None  # a pipe: reading its first bytes would consume them
            with open(source, "rb") as f:
                if f.read(2) == GZIP_MAGIC:
                    return None
        except OSError:
            return None
        total += st.st_size
    return total


def _open_text(source: PathOrFile):
    """A binary stream of the FASTA text of ``source`` (a context manager)."""
    if isinstance(source, io.TextIOBase):  # e.g. io.StringIO or open(path) in text mode
        return contextlib.nullcontext(_TextAsBytes(source))
    return open_input(source)


def read_chunks(source: PathOrFile, *, chunk_size: int = _CHUNK, background: bool = True) -> Iterator[bytes]:
    """The raw text of FASTA input in chunks of ``chunk_size`` bytes (the last shorter).

    Gzip input comes inflated and a leading UTF-8 byte-order mark is dropped; nothing
    else is checked.  For parsers that take text in bulk (the .2bit writer); with
    ``background`` (default) a helper thread reads and inflates a few chunks ahead.
    """
    def chunks() -> Iterator[bytes]:
        with _open_text(source) as stream:
            buf = stream.read(chunk_size)
            if buf.startswith(_BOM):
                buf = buf[len(_BOM):]
            while buf:
                yield buf
                buf = stream.read(chunk_size)

    if not background:
        return chunks()
    return _in_background(chunks, _PREFETCH)


class _TextAsBytes:
    """read(n) of a text stream, as UTF-8 bytes (the caller keeps the stream open)."""

    def __init__(self, text) -> None:
        self._text = text

    def read(self, n: int) -> bytes:
        return self._text.read(n).encode("utf-8", "surrogateescape")


class _End:
    __slots__ = ("error",)

    def __init__(self, error: Optional[BaseException]) -> None:
        self.error = error


def _in_background(make_items, depth: int) -> Iterator:
    """Run the iterator ``make_items()`` in a thread, ``depth`` items ahead of the caller."""
    items: "queue.Queue" = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(item) -> bool:
        while not stop.is_set():
            try:
                items.put(item, timeout=0.05)
                return True
            except queue.Full:
                continue
        return False

    def run() -> None:
        try:
            for item in make_items():
                if not put(item):
                    return
        except BaseException as err:  # handed to the consumer, raised there
            put(_End(err))
            return
        put(_End(None))

    worker = threading.Thread(target=run, name="trackpack-fasta-reader", daemon=True)
    worker.start()
    try:
        while True:
            item = items.get()
            if isinstance(item, _End):
                if item.error is not None:
                    raise item.error
                return
            yield item
    finally:
        stop.set()
        worker.join()


def _scan(stream, path: str, chunk_size: int) -> Iterator[Union[FastaHeader, memoryview]]:
    count_newlines = _codec.count_newlines
    line = 1  # line number of buf[pos]
    at_line_start = True
    seen_header = False
    buf = stream.read(chunk_size)
    if buf.startswith(_BOM):
        buf = buf[len(_BOM):]
    pos = 0
    while True:
        if pos >= len(buf):
            buf = stream.read(chunk_size)
            pos = 0
            if not buf:
                break
        if at_line_start and buf[pos] == 0x3E:  # '>'
            end = buf.find(b"\n", pos)
            if end >= 0:
                raw = buf[pos + 1:end]
            else:  # a header line longer than the rest of the chunk: gather its pieces
                pieces = [buf[pos + 1:]]
                while True:
                    buf = stream.read(chunk_size)
                    end = buf.find(b"\n")
                    if end >= 0 or not buf:
                        pieces.append(buf[:end] if end >= 0 else buf)
                        break
                    pieces.append(buf)
                raw = b"".join(pieces)
                if end < 0:
                    end = len(buf)
            yield _parse_header(raw, line, path)
            seen_header = True
            line += 1
            pos = end + 1
            at_line_start = True
            continue
        # Sequence text up to the next '>' that starts a line.
        gt = buf.find(b">", pos)
        while gt >= 0 and not (gt > pos and buf[gt - 1] == 0x0A):
            gt = buf.find(b">", gt + 1)
        stop = gt if gt >= 0 else len(buf)
        text = memoryview(buf)[pos:stop]
        if not seen_header:
            _check_preamble(text, line, path)
        else:
            yield text
        line += count_newlines(text)
        at_line_start = buf[stop - 1] == 0x0A
        pos = stop
    if not seen_header:
        raise FormatError("no FASTA records: the input is empty", path=path, line=line)


def _check_preamble(text: memoryview, line: int, path: str) -> None:
    """Text before the first header may only be blank lines."""
    raw = bytes(text)
    stripped = raw.lstrip(_BLANK)
    if stripped:
        bad_line = line + raw.count(b"\n", 0, len(raw) - len(stripped))
        raise FormatError(
            "not FASTA: expected a header line starting with '>'", path=path, line=bad_line
        )


def read_fasta(source: PathOrFile, *, ignore_dups: bool = False) -> Iterator[Tuple[str, str]]:
    """Stream ``(name, sequence)`` records from FASTA text.

    Args:
        source: a path (plain or gzip), ``stdin``/``-``, or a binary file object.
        ignore_dups: keep only the first record of a repeated name (kent's
            ``-ignoreDups``); by default a repeated name is a FormatError naming both lines.

    The sequence keeps its case; only letters and ``-`` are kept (see the module notes).
    Memory holds one record at a time.
    """
    path = display_name(source)
    keep = _codec.keep_bytes
    seen: Dict[str, int] = {}
    name: Optional[str] = None
    parts: List[bytes] = []
    skipping = False
    for item in scan_fasta(source):
        if isinstance(item, FastaHeader):
            if name is not None and not skipping:
                yield name, b"".join(parts).decode("ascii")
            parts = []
            name = item.name
            first = seen.get(name)
            skipping = False
            if first is not None:
                if not ignore_dups:
                    raise FormatError(
                        f"duplicate sequence name '{name}' (first seen at line {first})",
                        path=path,
                        line=item.line,
                    )
                skipping = True
            else:
                seen[name] = item.line
        elif not skipping:
            parts.append(keep(item, _KEEP))
    if name is not None and not skipping:
        yield name, b"".join(parts).decode("ascii")


def sequence_pairs(pairs: Iterable) -> Iterator[Tuple[int, str, Union[bytes, bytearray, memoryview]]]:
    """Check (name, sequence) pairs given to a writer instead of FASTA text.

    Yields (1-based record number, name, sequence bytes).  The name must be a str; the
    sequence a str (a non-ASCII character becomes '?', which the writers store as N) or a
    bytes-like object.  Anything else is an ArgumentError naming the record number.
    """
    for number, pair in enumerate(pairs, 1):
        try:
            name, sequence = pair
        except (TypeError, ValueError):
            raise ArgumentError(
                f"record {number}: expected a (name, sequence) pair, got {type(pair).__name__}"
            ) from None
        if not isinstance(name, str):
            raise ArgumentError(f"record {number}: the name must be a str, not {type(name).__name__}")
        if isinstance(sequence, str):
            yield number, name, sequence.encode("ascii", "replace")
        elif isinstance(sequence, (bytes, bytearray, memoryview)):
            yield number, name, sequence
        else:
            raise ArgumentError(
                f"record {number} ({name}): the sequence must be str or bytes, not {type(sequence).__name__}"
            )


def format_fasta(name: Optional[str], sequence: Union[str, bytes], width: int = FASTA_LINE_WIDTH) -> bytes:
    """One FASTA record as kent's ``faWriteNext`` writes it.

    A ``>name`` line (omitted when ``name`` is None), then ``sequence`` in lines of
    ``width`` characters.  An empty sequence gives b"" (kent writes nothing for it).
    """
    if not sequence:
        return b""
    body = _codec.wrap_lines(sequence, width)
    if name is None:
        return body
    return b">" + name.encode("utf-8", "surrogateescape") + b"\n" + body


def write_fasta(
    out, name: Optional[str], sequence: Union[str, bytes, Iterable[Union[str, bytes]]], width: int = FASTA_LINE_WIDTH
) -> int:
    """Write one record as :func:`format_fasta` lays it out to the binary stream ``out``.

    ``sequence`` may also be an iterable of pieces (e.g. from
    :meth:`trackpack.TwoBitFile.fetch_chunks`), so a long sequence is never held whole;
    every piece but the last must then be a multiple of ``width`` long.  Returns the
    number of bytes written (0 for an empty sequence, as kent writes nothing for it).
    """
    pieces = [sequence] if isinstance(sequence, (str, bytes, bytearray, memoryview)) else sequence
    written = 0
    head = b"" if name is None else b">" + name.encode("utf-8", "surrogateescape") + b"\n"
    last_short = False
    for piece in pieces:
        if not len(piece):
            continue
        if last_short:
            raise ValueError(f"FASTA pieces must be multiples of the line width ({width}) except the last")
        body = _codec.wrap_lines(piece, width)
        if head:
            out.write(head)
            written += len(head)
            head = b""
        out.write(body)
        written += len(body)
        last_short = len(piece) % width != 0
    return written


# kent's complement table (src/lib/dnautil.c ntCompTable): case is kept, IUPAC codes map to
# their complements, and characters it does not know become NUL.
_COMPLEMENT_PAIRS = {
    " ": " ", "-": "-", "=": "=", ".": ".",
    "a": "t", "c": "g", "g": "c", "t": "a", "u": "a", "n": "n",
    "A": "T", "C": "G", "G": "C", "T": "A", "U": "A", "N": "N",
    "R": "Y", "Y": "R", "M": "K", "K": "M", "S": "S", "W": "W",
    "V": "B", "H": "D", "D": "H", "B": "V", "X": "N",
    "r": "y", "y": "r", "m": "k", "k": "m", "s": "s", "w": "w",
    "v": "b", "h": "d", "d": "h", "b": "v", "x": "n",
    "(": ")", ")": "(",
}
_COMPLEMENT = str.maketrans(
    {chr(i): _COMPLEMENT_PAIRS.get(chr(i), "\0") for i in range(128)}
)


def reverse_complement(sequence: str) -> str:
    """Reverse complement of a DNA string, keeping case (kent's ``reverseComplement``)."""
    return sequence.translate(_COMPLEMENT)[::-1]
