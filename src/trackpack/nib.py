"""Read and write .nib sequence files (formats.md ".nib"; kent src/inc/nib.h, src/lib/nib.c).

A .nib holds one sequence: signature u32 0x6BE93D3A, base count u32 (in the writer's byte
order, which the reader takes from the signature), then 4 bits per base, first base in
the high nibble: T=0 C=1 A=2 G=3 N=4, plus 8 for a masked (lower-case) base.

:class:`NibFile` reads regions by seeking to their bytes (the file is never loaded
whole); :func:`write_nib` packs FASTA or a (name, sequence) pair the way kent's faToNib
does.  Coordinates are 0-based and half-open.
"""
from __future__ import annotations

import logging
import os
import struct
from dataclasses import dataclass
from typing import Iterable, List, Optional, Tuple, Union

from . import _kernels
from .errors import ArgumentError, ClosedFileError, FormatError, OutOfRangeError
from .fasta import FastaHeader, scan_fasta, sequence_pairs, text_size
from .files import PathOrFile, RandomAccess, atomic_output, display_name
from .progress import Progress

__all__ = ["NibFile", "NibSummary", "write_nib", "NIB_SIGNATURE"]

_codec = _kernels.load("seqcodec")
log = logging.getLogger(__name__)

NIB_SIGNATURE = 0x6BE93D3A
#: header: signature, base count (u32 each)
_HEADER = struct.Struct("II")
_MASKED = 8
_CHUNK_BASES = 8 << 20


def _nib_name(path: str) -> str:
    """kent's name for a .nib's sequence: the file name without directory or extension."""
    base = os.path.basename(path)
    stem, dot, _ = base.rpartition(".")
    return stem if dot else base


class NibFile:
    """A .nib file opened for random access (either byte order).

    ``NibFile(path_or_fileobj, name=None)``: ``name`` defaults to the file name without
    directory and extension, as kent names .nib sequences.  :meth:`fetch` reads a region
    (soft-masked bases in lower case by default); ``len(nib)`` is the sequence length and
    ``nib[a:b]`` slices like a str.  Thread-safe; a context manager.
    """

    def __init__(self, source: PathOrFile, name: Optional[str] = None) -> None:
        self.path = display_name(source)
        self.name = name if name is not None else _nib_name(self.path)
        self._random: Optional[RandomAccess] = RandomAccess(source)
        self._runs: Optional[Tuple[list, list]] = None
        try:
            self._read_header()
        except BaseException:
            self.close()
            raise

    def _read_header(self) -> None:
        ra = self._reader()
        if ra.size < _HEADER.size:
            raise FormatError(
                f"not a .nib file: {ra.size} bytes, shorter than the {_HEADER.size}-byte header",
                path=self.path,
                offset=0,
            )
        head = ra.read(0, _HEADER.size, ".nib header")
        for order in ("<", ">"):
            signature, size = struct.unpack(order + _HEADER.format, head)
            if signature == NIB_SIGNATURE:
                break
        else:
            raise FormatError(
                "not a .nib file (bad signature)",
                path=self.path,
                offset=0,
                expected=hex(NIB_SIGNATURE),
                found="0x" + head[:4].hex(),
            )
        need = _HEADER.size + (size + 1) // 2
        if ra.size < need:
            raise FormatError(
                f"the file is truncated: {size} bases need {need} bytes, the file has {ra.size}",
                path=self.path,
                offset=ra.size,
            )
        self.size: int = size
        self.byte_order: str = "little" if order == "<" else "big"

    @property
    def sizes(self) -> dict:
        """``{name: length}`` (one sequence), like :attr:`TwoBitFile.sizes`."""
        return {self.name: self.size}

    def __len__(self) -> int:
        return self.size

    def _reader(self) -> RandomAccess:
        ra = self._random
        if ra is None or ra.closed:
            raise ClosedFileError("I/O operation on a closed .nib file", path=self.path)
        return ra

    def fetch(self, start: int = 0, end: Optional[int] = None, mask: bool = True) -> str:
        """Bases [start, end) as a str; ``mask=False`` gives all upper case."""
        ra = self._reader()
        start = _codec.as_index(start, "start")
        end = self.size if end is None else _codec.as_index(end, "end")
        if start < 0 or end > self.size or start > end:
            raise OutOfRangeError(
                f"{self.name}:{start}-{end} is outside the sequence '{self.name}' (0-{self.size})",
                path=self.path,
            )
        if start == end:
            return ""
        first = start >> 1
        data = ra.read(_HEADER.size + first, ((end + 1) >> 1) - first, "sequence data")
        text, bad = _codec.unpack_nib(data, start & 1, end - start, mask)
        if bad >= 0:
            pos = start + bad
            byte = data[(pos >> 1) - first]
            value = (byte >> 4) if pos % 2 == 0 else (byte & 15)
            raise FormatError(
                f"invalid base code {value} at base {pos}", path=self.path, offset=_HEADER.size + (pos >> 1)
            )
        return text.decode("ascii")

    def __getitem__(self, key: Union[int, slice]) -> str:
        if isinstance(key, slice):
            start, stop, step = key.indices(self.size)
            if step == 1:
                return self.fetch(start, max(start, stop))
            lo, hi = (start, stop) if step > 0 else (stop + 1, start + 1)
            if hi <= lo:
                return ""
            return self.fetch(lo, hi)[start - lo:(stop - lo) if stop - lo >= 0 else None:step]
        index = _codec.as_index(key, "index")
        if index < 0:
            index += self.size
        if not 0 <= index < self.size:
            raise OutOfRangeError(
                f"index {key} is outside sequence '{self.name}' of length {self.size}", path=self.path
            )
        return self.fetch(index, index + 1)

    def __str__(self) -> str:
        return self.fetch()

    def n_blocks(self) -> List[Tuple[int, int]]:
        """Runs of N as (start, end) pairs (found by one streaming pass, then cached)."""
        return self._scan_runs()[0]

    def mask_blocks(self) -> List[Tuple[int, int]]:
        """Masked (lower-case) runs as (start, end) pairs."""
        return self._scan_runs()[1]

    def _scan_runs(self) -> Tuple[list, list]:
        if self._runs is None:
            from .twobit import packing_table  # the run finder of the .2bit packer

            packer = _codec.TwoBitPacker(packing_table(True, False))
            for start in range(0, self.size, _CHUNK_BASES):
                packer.feed(self.fetch(start, min(self.size, start + _CHUNK_BASES)).encode("ascii"))
            packer.finish()
            self._runs = packer.blocks()
        return self._runs

    def close(self) -> None:
        """Release the file.  Further reads raise ClosedFileError."""
        if self._random is not None:
            self._random.close()
            self._random = None

    @property
    def closed(self) -> bool:
        return self._random is None

    def __enter__(self) -> "NibFile":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<NibFile {self.path!r}: {self.name}, {getattr(self, 'size', '?')} bases>"


# ---------------------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------------------

_NIB_CODE = {"T": 0, "U": 0, "C": 1, "A": 2, "G": 3}
_SKIP = 255


def nib_table(mask: bool, hard_mask: bool, fasta: bool) -> bytes:
    """Byte -> nibble table for :class:`NibPacker`, following kent's faToNib.

    Without ``mask`` (kent's default): A C G T/U in either case get their code, every
    other character is N (4).  With ``mask`` (-softMask): lower-case letters also get
    the masked bit (8).  ``hard_mask`` (-hardMask) first turns upper-case letters to
    lower case and everything else to 'n', as kent does, so lower-case bases become N;
    combined with ``mask`` every base comes out masked, again as in kent.  When reading
    FASTA, bytes other than letters and '-' are skipped (kent's reader drops them).
    """
    table = bytearray(256)
    for b in range(256):
        c = chr(b)
        keepable = (c.isascii() and c.isalpha()) or c == "-"
        if not keepable and fasta:
            table[b] = _SKIP
            continue
        if hard_mask:
            c = c.lower() if (c.isascii() and c.isupper()) else "n"
        code = _NIB_CODE.get(c.upper()) if c.isascii() and c.isalpha() else None
        value = code if code is not None else 4
        if mask and c.isascii() and c.islower():
            value |= _MASKED
        table[b] = value
    return bytes(table)


@dataclass(frozen=True)
class NibSummary:
    """What :func:`write_nib` wrote."""

    name: str
    bases: int
    bytes: int


def write_nib(
    source: Union[PathOrFile, Iterable[Tuple[str, Union[str, bytes]]]],
    out_path: Union[str, "os.PathLike[str]"],
    *,
    mask: bool = True,
    hard_mask: bool = False,
    byte_order: str = "little",
    progress: Optional[bool] = None,
) -> NibSummary:
    """Write a .nib file holding exactly one sequence, with the bytes kent's faToNib writes.

    Args:
        source: a FASTA path (plain or gzip; ``stdin``/``-``) or binary file object with
            one record, or an iterable yielding one (name, sequence) pair.
        out_path: the .nib to write (atomically; ``stdout`` for standard output).
        mask: set the masked bit on lower-case bases (kent: -softMask).
        hard_mask: lower-case bases become N (kent: -hardMask); see :func:`nib_table`.
        byte_order: "little" (default) or "big".
        progress: show progress on stderr (None: only on a terminal).

    A source with no record or more than one is an error (a FormatError naming the second
    record's line for FASTA).
    """
    if byte_order not in ("little", "big"):
        raise ArgumentError(f"byte_order must be 'little' or 'big', not {byte_order!r}")
    order = "<" if byte_order == "little" else ">"
    is_fasta = isinstance(source, (str, os.PathLike)) or hasattr(source, "read")
    packer = _codec.NibPacker(nib_table(mask, hard_mask, is_fasta))
    name: Optional[str] = None
    header_line = 0
    total = text_size([source]) if is_fasta else None
    with Progress("faToNib", total, "B", enabled=progress) as bar:
        if is_fasta:
            path = display_name(source)
            for item in scan_fasta(source):  # type: ignore[arg-type]
                if isinstance(item, FastaHeader):
                    if name is not None:
                        raise FormatError(
                            "a .nib holds one sequence, but the FASTA has more than one record "
                            "(kent: faToNib only works on fa files containing a single sequence)",
                            path=path,
                            line=item.line,
                        )
                    name, header_line = item.name, item.line
                else:
                    try:
                        packer.feed(item)
                    except OverflowError:
                        raise FormatError(
                            f"sequence '{name}' has more than {_codec.MAX_BASES:,} bases, the most a .nib can hold",
                            path=path,
                            line=header_line,
                        ) from None
                    bar.update(len(item))
            if packer.size == 0:
                log.warning("Invalid fasta format: sequence size == 0 for element %s", name)
        else:
            for number, name, data in sequence_pairs(source):  # type: ignore[arg-type]
                if number > 1:
                    raise ArgumentError("a .nib holds one sequence, but the source yields more than one")
                try:
                    packer.feed(data)
                except OverflowError:
                    raise ArgumentError(
                        f"sequence '{name}' has more than {_codec.MAX_BASES:,} bases, the most a .nib can hold"
                    ) from None
                bar.update(len(data))
            if name is None:
                raise ArgumentError("the source yields no (name, sequence) pair")
    bases = packer.size
    data = packer.packed()
    with atomic_output(out_path) as out:
        out.write(struct.pack(order + _HEADER.format, NIB_SIGNATURE, bases))
        out.write(data)
    return NibSummary(name or "", bases, _HEADER.size + len(data))
