"""Read an annotation file one sequence (chromosome) at a time, with bounded memory.

GTF and GFF3 files may scatter the lines of a transcript anywhere, but all lines of a
transcript are on one sequence.  So a first pass notes, for every run of consecutive lines
on the same sequence, where it is in the file; afterwards the lines of one sequence are
read back with a few ``pread`` calls and assembled, then dropped.  Memory stays at the size
of the largest sequence's lines plus a few numbers per run.

Compressed input or standard input is decompressed once into a temporary spool file (next
to nothing in memory) that the second pass reads.  Plain files are read in place.

Lines starting with ``#`` and empty lines are handed to an optional callback during the
first pass instead of being stored (GFF3 directives live there).
"""
from __future__ import annotations

import os
import tempfile
from array import array
from typing import Callable, Dict, Iterator, List, Optional, Tuple

from ..files import STDIN_NAMES, display_name, open_input
from ..progress import Progress

__all__ = ["Partition", "CHUNK_SIZE"]

#: bytes read per call in the first pass
CHUNK_SIZE = 8 << 20


def _scan_kernel():
    from .fastgtf import kernel

    return kernel()


def _is_plain_file(source) -> bool:
    if not isinstance(source, (str, os.PathLike)):
        return False
    path = os.fspath(source)
    if path in STDIN_NAMES or not os.path.isfile(path):
        return False
    with open(path, "rb") as f:
        return f.read(2) != b"\x1f\x8b"


class Partition:
    """The data lines of a text annotation file, grouped by their first column.

    Args:
        source: path (plain or gzip), ``stdin``/``-``, or binary file object.
        on_comment: called with ``(line number, raw line)`` for every line that starts
            with ``#`` or is empty, in file order, during the first pass.  It may return
            False to end the first pass there (e.g. at GFF3's ``##FASTA``).
        progress: show progress on a terminal (None: when stderr is a terminal).

    ``names`` lists the sequence names (str) in order of first appearance.  Use as a context
    manager; the spool file, if any, is removed on close.
    """

    def __init__(self, source, *, on_comment: Optional[Callable[[int, bytes], Optional[bool]]] = None,
                 progress: Optional[bool] = None, spool_dir: Optional[str] = None) -> None:
        self.path = display_name(source)
        self._spool: Optional[str] = None
        self._fd: Optional[int] = None
        self._ids: Dict[bytes, int] = {}
        self.names: List[str] = []
        # one entry per run of lines on one sequence
        self._run_seq = array("i")
        self._run_offset = array("q")
        self._run_size = array("q")
        self._run_line = array("q")
        self._by_seq: Optional[List[List[int]]] = None
        self.lines_read = 0
        self.bytes_read = 0
        try:
            self._scan(source, on_comment, progress, spool_dir)
        except BaseException:
            self.close()
            raise

    # -- first pass ----------------------------------------------------------------------

    def _scan(self, source, on_comment, progress, spool_dir) -> None:
        plain = _is_plain_file(source)
        total = os.path.getsize(os.fspath(source)) if plain else None
        spool = None
        if not plain:
            fd, self._spool = tempfile.mkstemp(prefix="trackpack-genes-", suffix=".spool", dir=spool_dir)
            spool = os.fdopen(fd, "wb", buffering=1 << 20)
        try:
            opener = (lambda: open(os.fspath(source), "rb", buffering=0)) if plain else (lambda: open_input(source))
            with opener() as f, Progress(f"reading {self.path}", total, "B", enabled=progress) as bar:
                self._scan_stream(f, spool, on_comment, bar)
        finally:
            if spool is not None:
                spool.close()
        self._fd = os.open(self._spool if self._spool else os.fspath(source), os.O_RDONLY)

    def _scan_stream(self, f, spool, on_comment, bar) -> None:
        k = _scan_kernel()
        if k is not None:
            self._scan_chunks(k, f, spool, on_comment, bar)
        else:
            self._scan_lines(f, spool, on_comment, bar)

    def _scan_chunks(self, k, f, spool, on_comment, bar) -> None:
        """First pass with the compiled scanner: whole chunks at a time, read into one
        reused buffer (the unfinished last line moves to its front)."""
        ids = self._ids
        cur = -1
        run_start = run_size = run_line = 0
        base = 0  # file offset of buf[0]
        lineno = 1  # line number of the line starting at buf[pos]
        buf = bytearray(CHUNK_SIZE)
        view = memoryview(buf)
        filled = 0  # valid bytes in buf
        pos = 0
        stopped = False
        final = False
        while not final:
            if pos:  # keep the unfinished line
                buf[:filled - pos] = view[pos:filled]
                base += pos
                filled -= pos
                pos = 0
            if filled == len(buf):  # a line longer than the buffer: grow it
                view.release()
                buf.extend(bytes(len(buf)))
                view = memoryview(buf)
            got = f.readinto(view[filled:])
            if not got:
                final = True
            else:
                if spool is not None:
                    spool.write(view[filled:filled + got])
                filled += got
            if stopped:
                base += filled
                filled = 0
                continue
            data = view[:filled]
            while True:
                status, end, runs = k.scan_runs(data, pos, final)
                for name, start, size, count in runs:
                    seq = ids.get(name)
                    if seq is None:
                        seq = ids[name] = len(self.names)
                        self.names.append(name.decode("utf-8", "surrogateescape"))
                    offset = base + start
                    if seq == cur and offset == run_start + run_size:
                        run_size += size
                    else:
                        if cur >= 0:
                            self._add_run(cur, run_start, run_size, run_line)
                        cur, run_start, run_size, run_line = seq, offset, size, lineno
                    lineno += count
                pos = end
                if status == 0:
                    break
                # a comment or empty line at pos
                nl = buf.find(b"\n", pos, filled)
                if nl < 0 and not final:
                    break  # incomplete comment line: read more
                stop = filled if nl < 0 else nl + 1
                if cur >= 0:
                    self._add_run(cur, run_start, run_size, run_line)
                    cur = -1
                raw = bytes(view[pos:stop])
                pos = stop
                lineno += 1
                if on_comment is not None and on_comment(lineno - 1, raw) is False:
                    stopped = True
                    break
            data.release()
            bar.set(base + pos)
            if stopped:
                base += filled
                filled = pos = 0
        view.release()
        if cur >= 0:
            self._add_run(cur, run_start, run_size, run_line)
        self.lines_read = lineno - 1
        self.bytes_read = base + filled
        bar.set(self.bytes_read)

    def _scan_lines(self, f, spool, on_comment, bar) -> None:
        """First pass in Python, line by line (when the kernels are not built)."""
        ids = self._ids
        offset = 0  # byte offset of the current line in the file the second pass reads
        lineno = 0
        cur = -1  # sequence id of the open run
        run_start = run_size = run_line = 0
        stopped = False
        for raw in f:
            lineno += 1
            size = len(raw)
            if spool is not None:
                spool.write(raw)
            if not stopped:
                first = raw[:1]
                if first == b"#" or raw in (b"\n", b"\r\n", b""):
                    if cur >= 0:
                        self._add_run(cur, run_start, run_size, run_line)
                        cur = -1
                    if on_comment is not None and on_comment(lineno, raw) is False:
                        stopped = True
                else:
                    tab = raw.find(b"\t")
                    name = raw[:tab] if tab >= 0 else raw.rstrip(b"\r\n")
                    seq = ids.get(name)
                    if seq is None:
                        seq = ids[name] = len(self.names)
                        self.names.append(name.decode("utf-8", "surrogateescape"))
                    if seq != cur:
                        if cur >= 0:
                            self._add_run(cur, run_start, run_size, run_line)
                        cur, run_start, run_size, run_line = seq, offset, 0, lineno
                    run_size += size
            offset += size
            if (lineno & 0xFFFF) == 0:
                bar.set(offset)
        if cur >= 0:
            self._add_run(cur, run_start, run_size, run_line)
        self.lines_read = lineno
        self.bytes_read = offset
        bar.set(offset)

    def _add_run(self, seq: int, offset: int, size: int, line: int) -> None:
        self._run_seq.append(seq)
        self._run_offset.append(offset)
        self._run_size.append(size)
        self._run_line.append(line)

    # -- second pass -----------------------------------------------------------------------

    def runs(self, name: str) -> List[Tuple[int, int, int]]:
        """``(offset, size, first line number)`` of each run of lines on sequence ``name``."""
        if self._by_seq is None:
            by_seq: List[List[int]] = [[] for _ in self.names]
            for i, seq in enumerate(self._run_seq):
                by_seq[seq].append(i)
            self._by_seq = by_seq
        seq = self._ids[name.encode("utf-8", "surrogateescape")]
        return [(self._run_offset[i], self._run_size[i], self._run_line[i]) for i in self._by_seq[seq]]

    def first_record_line(self) -> Optional[int]:
        """Line number of the first data line of the file (None: there is none)."""
        return self._run_line[0] if len(self._run_line) else None

    def read(self, name: str) -> Tuple[bytes, List[Tuple[int, int]]]:
        """All lines of sequence ``name`` as one buffer, with ``(buffer offset, first line)``
        for each run in it."""
        if self._fd is None:
            raise ValueError("partition is closed")
        parts = []
        starts = []
        pos = 0
        for offset, size, line in self.runs(name):
            data = os.pread(self._fd, size, offset)
            if len(data) != size:
                raise OSError(f"{self.path}: file changed while being read")
            parts.append(data)
            starts.append((pos, line))
            pos += size
        return b"".join(parts), starts

    def first_line(self, predicate: Callable[[bytes], bool], block: int = 1 << 20) -> Optional[Tuple[int, bytes]]:
        """The first data line (in file order) for which ``predicate(raw)`` holds, with its
        line number; reads as little of the file as needed."""
        if self._fd is None:
            raise ValueError("partition is closed")
        order = sorted(range(len(self._run_seq)), key=lambda i: self._run_line[i])
        for i in order:
            offset, size, line = self._run_offset[i], self._run_size[i], self._run_line[i]
            pos = 0
            carry = b""
            while pos < size:
                data = carry + os.pread(self._fd, min(block, size - pos), offset + pos)
                pos += len(data) - len(carry)
                parts = data.split(b"\n")
                carry = parts.pop() if pos < size else b""
                for raw in parts:
                    if raw or pos >= size:
                        if predicate(raw + b"\n"):
                            return line, raw + b"\n"
                    line += 1
                if pos >= size and carry:
                    if predicate(carry):
                        return line, carry
        return None

    def lines(self, name: str) -> Iterator[Tuple[int, bytes]]:
        """``(line number, raw line)`` for every line of sequence ``name``, in file order."""
        buf, starts = self.read(name)
        bounds = starts[1:] + [(len(buf), 0)]
        for (pos, line), (end, _) in zip(starts, bounds):
            while pos < end:
                nl = buf.find(b"\n", pos, end)
                stop = end if nl < 0 else nl + 1
                yield line, buf[pos:stop]
                pos = stop
                line += 1

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
        if self._spool is not None:
            try:
                os.unlink(self._spool)
            except OSError:
                pass
            self._spool = None

    def __enter__(self) -> "Partition":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
