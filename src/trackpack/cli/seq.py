"""Sequence tools, kent-compatible: faToTwoBit, twoBitToFa, twoBitInfo, faToNib, nibFrag.

Same arguments, flags and output bytes as kent's tools (src/utils/<tool>/<tool>.c); the
work is done by :mod:`trackpack.twobit`, :mod:`trackpack.nib` and :mod:`trackpack.fasta`.

Where trackpack knowingly differs from kent (all cases where kent fails or misbehaves):

- faToTwoBit, faToNib: empty input, or text before the first '>' other than blank lines,
  is an error naming the file and line (kent writes an empty .2bit for empty input and
  rejects leading blank lines); so is a '>' line without a name (kent stores a sequence
  with an empty name).  faToTwoBit without -long writes version 1 when the offsets need
  64 bits, instead of refusing.
- twoBitToFa: a zero-length sequence stored in a .2bit gives no output (kent aborts);
  'file.2bit:' with an empty list means every sequence (kent crashes); a -bed item with
  blockCount above 1 but no blockSizes/chromStarts columns is an error naming the line
  (kent crashes); -bpt is checked against the file's own index and must agree with it;
  -udcDir is accepted and ignored (no remote files).
- faToNib: with 'stdout' as the output, the "Writing N bases" line goes to stderr so
  that it does not end up inside the .nib bytes.
- All tools write their output atomically: a failed run leaves no output file.
"""
from __future__ import annotations

import contextlib
import logging
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
import re
import sys
from typing import Deque, Iterator, List, Optional, Tuple

from ..errors import FormatError, NotFoundError, OutOfRangeError, UsageError
from ..fasta import reverse_complement, write_fasta
from ..files import RandomAccess, atomic_output, open_input
from ..progress import Progress
from .options import parse_args

__all__ = ["fa_to_two_bit", "two_bit_to_fa", "two_bit_info", "fa_to_nib", "nib_frag"]


@contextlib.contextmanager
def _plain_warnings() -> Iterator[None]:
    """Show the library's warnings on stderr as bare lines, the way kent's warn() does."""
    logger = logging.getLogger("trackpack")
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s"))
    handler.setLevel(logging.WARNING)
    saved = logger.propagate, logger.level
    logger.addHandler(handler)
    logger.propagate = False
    if logger.level == logging.NOTSET or logger.level > logging.WARNING:
        logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.propagate, _ = saved
        logger.setLevel(saved[1])


# ---------------------------------------------------------------------------------------
# faToTwoBit
# ---------------------------------------------------------------------------------------

FA_TO_TWO_BIT_USAGE = """\
faToTwoBit - Convert DNA from fasta to 2bit format
usage:
   faToTwoBit in.fa [in2.fa in3.fa ...] out.2bit
options:
   -long          use 64-bit offsets for the index, so that the file can hold more than
                  4Gb of sequence (a version 1 .2bit, which older readers cannot open)
   -noMask        Ignore lower-case masking in fa file.
   -stripVersion  Strip off version number after '.' for GenBank accessions.
   -ignoreDups    Convert first sequence only if there are duplicate sequence
                  names.
Inputs may be gzip-compressed or 'stdin'; the output may be 'stdout'.
"""


def fa_to_two_bit(argv: List[str]) -> int:
    """`trackpack faToTwoBit in.fa [in2.fa ...] out.2bit` (see FA_TO_TWO_BIT_USAGE)."""
    from ..twobit import write_twobit

    p = parse_args(
        argv,
        {"noMask": bool, "stripVersion": bool, "ignoreDups": bool, "long": bool},
        FA_TO_TWO_BIT_USAGE,
        nargs=(2, None),
    )
    *inputs, out = p.args
    with _plain_warnings():
        write_twobit(
            inputs,
            out,
            mask=not p.flag("noMask"),
            version=1 if p.flag("long") else None,
            strip_version=p.flag("stripVersion"),
            ignore_dups=p.flag("ignoreDups"),
            progress=p.progress,
        )
    return 0


# ---------------------------------------------------------------------------------------
# .2bit specs: file.2bit[:seq[:start-end]][,seq2...]
# ---------------------------------------------------------------------------------------


def _strtol(text: str) -> Tuple[Optional[int], str]:
    """C strtol(text, &end, 0): (value or None when no digits, rest of the text)."""
    i = 0
    while i < len(text) and text[i] in " \t\n\v\f\r":
        i += 1
    sign = 1
    if i < len(text) and text[i] in "+-":
        sign = -1 if text[i] == "-" else 1
        i += 1
    base, digits = 10, "0123456789"
    if text[i:i + 2].lower() == "0x" and i + 2 < len(text) and text[i + 2] in "0123456789abcdefABCDEF":
        base, digits, i = 16, "0123456789abcdefABCDEF", i + 2
    elif text[i:i + 1] == "0":
        base, digits = 8, "01234567"
    j = i
    while j < len(text) and text[j] in digits:
        j += 1
    if j == i:
        return None, text
    return sign * int(text[i:j], base), text[j:]


class SeqSpec:
    """One requested sequence: name and optional range (0-0 means the whole sequence)."""

    __slots__ = ("name", "start", "end")

    def __init__(self, name: str, start: int = 0, end: int = 0) -> None:
        self.name, self.start, self.end = name, start, end


def parse_seq_spec(text: str) -> SeqSpec:
    """``name`` or ``name:start-end`` (numbers read like C strtol with base 0, as kent does)."""
    name, colon, rng = text.partition(":")
    if not colon:
        return SeqSpec(text)
    start, rest = _strtol(rng)
    ok = start is not None and rest.startswith("-")
    end = None
    if ok:
        end, rest = _strtol(rest[1:])
        ok = end is not None and rest == ""
    if not ok or end < start:  # type: ignore[operator]
        raise UsageError(f'invalid twoBit sequence specification: "{text}"')
    return SeqSpec(name, start, end)  # type: ignore[arg-type]


def _split_file_spec(spec: str) -> Tuple[str, Optional[str]]:
    """Split ``path[:rest]`` at the first ':' after the last '/' (kent's rule)."""
    slash = spec.rfind("/")
    colon = spec.find(":", slash + 1)
    if colon < 0:
        return spec, None
    return spec[:colon], spec[colon + 1:]


def _require_two_bit(path: str, spec: str) -> None:
    """Check that ``path`` is a .2bit file: a file that cannot be opened is an OSError
    naming it (e.g. FileNotFoundError), any other file a FormatError naming it."""
    from ..twobit import TWOBIT_SIGNATURE

    with open(path, "rb") as f:
        head = f.read(4)
    if len(head) != 4 or TWOBIT_SIGNATURE not in (int.from_bytes(head, "little"), int.from_bytes(head, "big")):
        raise FormatError("not a .2bit file (bad signature)", path=path, offset=0)


def parse_two_bit_spec(spec: str) -> Tuple[str, Optional[List[SeqSpec]]]:
    """``file.2bit[:seqSpec[,seqSpec...]]`` -> (path, specs or None for all sequences)."""
    path, rest = _split_file_spec(spec)
    _require_two_bit(path, spec)
    if rest is None:
        return path, None
    specs = [parse_seq_spec(s) for s in rest.split(",") if s]
    return path, specs or None


# ---------------------------------------------------------------------------------------
# twoBitToFa
# ---------------------------------------------------------------------------------------

TWO_BIT_TO_FA_USAGE = """\
twoBitToFa - Convert all or part of .2bit file to fasta
usage:
   twoBitToFa input.2bit output.fa
options:
   -seq=name       Restrict this to just one sequence.
   -start=X        Start at given position in sequence (zero-based).
   -end=X          End at given position in sequence (non-inclusive).
   -seqList=file   File containing list of the desired sequence names
                   in the format seqSpec[:start-end], e.g. chr1 or chr1:0-189
                   where coordinates are half-open zero-based, i.e. [start,end).
   -noMask         Convert sequence to all upper case.
   -bpt=index.bpt  Use bpt index instead of built-in one.
   -bed=input.bed  Grab sequences specified by input.bed. Will exclude introns.
   -bedPos         With -bed, use chrom:start-end as the fasta ID in output.fa.
   -udcDir=/dir/to/cache  Accepted for compatibility (remote files are not supported).

Sequence and range may also be given as part of the input file name:
      /path/input.2bit:name
   or
      /path/input.2bit:name1,name2,...
   or
      /path/input.2bit:name:start-end
"""


def _seq_list_file(path: str) -> List[SeqSpec]:
    specs = []
    with open_input(path) as f:
        for raw in f:
            line = raw.strip().decode("utf-8", "surrogateescape")  # ASCII blanks, as kent's trimSpaces
            if not line or line.startswith("#"):
                continue
            specs.append(parse_seq_spec(line))
    return specs


class _BedItem:
    __slots__ = ("chrom", "start", "end", "name", "strand", "blocks")

    def __init__(self, chrom, start, end, name, strand, blocks) -> None:
        self.chrom, self.start, self.end = chrom, start, end
        self.name, self.strand, self.blocks = name, strand, blocks


_UNSIGNED = re.compile(r"[0-9]+")
_SIGNED = re.compile(r"-?[0-9]+")


def _bed_number(text: str, what: str, signed: bool = False) -> int:
    if not (_SIGNED if signed else _UNSIGNED).fullmatch(text):
        kind = "an integer" if signed else "a non-negative integer"
        raise ValueError(f"{what} must be {kind}, not '{text}'")
    return int(text)


def _bed_list(text: str, count: int, what: str) -> List[int]:
    values = [_bed_number(x, what, signed=True) for x in text.rstrip(",").split(",") if x]
    if len(values) < count:
        raise ValueError(f"{what} has {len(values)} values, blockCount says {count}")
    return values[:count]


def _read_bed(path: str) -> List[_BedItem]:
    """BED4-12 lines (whitespace-separated; blank and '#' lines skipped) as kent's bedLoadAll
    reads them: at least 4 fields, numbers checked, blocks taken from BED12 columns."""
    items = []
    with open_input(path) as f:
        for number, raw in enumerate(f, 1):
            words = [w.decode("utf-8", "surrogateescape") for w in raw.split()]  # ASCII blanks, as C
            if not words or words[0].startswith("#"):
                continue
            try:
                if len(words) < 4:
                    raise ValueError(f"at least 4 fields are required (chrom start end name), got {len(words)}")
                start = _bed_number(words[1], "chromStart")
                end = _bed_number(words[2], "chromEnd")
                if len(words) > 4:
                    _bed_number(words[4], "score", signed=True)
                for i, what in ((6, "thickStart"), (7, "thickEnd")):
                    if len(words) > i:
                        _bed_number(words[i], what)
                blocks = None
                count = _bed_number(words[9], "blockCount") if len(words) > 9 else 0
                if count > 1:
                    if len(words) < 12:
                        raise ValueError(f"blockCount is {count} but blockSizes or chromStarts is missing")
                    sizes = _bed_list(words[10], count, "blockSizes")
                    starts = _bed_list(words[11], count, "chromStarts")
                    blocks = [(start + s, start + s + z) for s, z in zip(starts, sizes)]
            except ValueError as err:
                raise FormatError(f"not a BED line: {err}", path=path, line=number) from None
            strand = words[5] if len(words) > 5 else ""
            items.append(_BedItem(words[0], start, end, words[3], strand, blocks))
    return items


def _check_bpt(bpt_path: str, tb, specs: List[SeqSpec]) -> None:
    """-bpt: kent finds the sequences through this external B+ tree.  We check that it
    agrees with the file's own index (same count, every name at the same offset) and read
    through the built-in index, which then gives identical output."""
    from ..bbi.bptree import BPlusTree
    from ..bbi.layout import BPT_MAGIC

    ra = RandomAccess(bpt_path)
    try:
        head = ra.read(0, 4, "B+ tree header")
        order = "<" if int.from_bytes(head, "little") == BPT_MAGIC else ">"
        tree = BPlusTree(ra.read, 0, order, bpt_path)
        if tree.item_count != len(tb):
            raise FormatError(
                f"{tb.path} and {bpt_path} don't have same number of sequences!", path=bpt_path
            )
        for spec in specs:
            value = tree.find(spec.name.encode("utf-8", "surrogateescape"))
            if value is None:
                raise NotFoundError(f"{spec.name} is not in {bpt_path}", path=bpt_path)
            offset = int.from_bytes(value, "little" if order == "<" else "big")
            if spec.name in tb and offset != tb._record_of(spec.name).offset:
                raise FormatError(
                    f"{bpt_path} puts {spec.name} at offset {offset}, the .2bit's index at "
                    f"{tb._record_of(spec.name).offset}",
                    path=bpt_path,
                )
    finally:
        ra.close()


def _region(tb, name: str, start: int, end: int) -> Tuple[str, int, int]:
    """(FASTA name, start, end) of a spec region, named and checked as twoBitReadSeqFrag
    does (end 0 means the sequence end)."""
    size = tb._record_of(name).size
    if end == 0:
        end = size
    if end > size:
        raise OutOfRangeError(f"{name}:{start}-{end}: end ({end}) is past the sequence end ({size})", path=tb.path)
    if start >= end and size:
        raise OutOfRangeError(f"{name}:{start}-{end}: start ({start}) >= end ({end})", path=tb.path)
    label = name if end - start == size else f"{name}:{start}-{end}"
    return label, start, end


def _write_region(out, tb, name: str, start: int, end: int, mask: bool, bar: Progress) -> None:
    label, start, end = _region(tb, name, start, end)
    # 10 Mb pieces (a multiple of the 50-base line): whole chromosomes stream through
    write_fasta(out, label, _counted(tb.fetch_chunks(name, start, end, mask, chunk_size=10_000_000), bar))


def _counted(pieces: Iterator[str], bar: Progress) -> Iterator[str]:
    for piece in pieces:
        bar.update(len(piece))
        yield piece


def _region_text(tb, name: str, start: int, end: int, mask: bool) -> Tuple[str, str]:
    label, start, end = _region(tb, name, start, end)
    return label, tb.fetch(name, start, end, mask)


def two_bit_to_fa(argv: List[str]) -> int:
    """`trackpack twoBitToFa in.2bit[:specs] out.fa` (see TWO_BIT_TO_FA_USAGE)."""
    from ..twobit import TwoBitFile

    p = parse_args(
        argv,
        {
            "seq": str,
            "seqList": str,
            "start": int,
            "end": int,
            "noMask": bool,
            "bpt": str,
            "bed": str,
            "bedPos": bool,
            "udcDir": str,
        },
        TWO_BIT_TO_FA_USAGE,
        nargs=2,
    )
    in_name, out_name = p.args
    seq, seq_list, bed = p.get("seq"), p.get("seqList"), p.get("bed")
    start, end = p.get("start", 0), p.get("end", 0)
    if p.flag("bedPos") and bed is None:
        raise UsageError("the -bedPos option requires the -bed option")
    if bed is not None:
        if seq_list is not None:
            raise UsageError("Can only have seqList or bed options, not both.")
        if seq is not None:
            raise UsageError("Can only have seq or bed options, not both.")
    if start > end and seq is None:
        raise UsageError("must specify -seq with -start and -end")
    if seq is not None and seq_list is not None:
        raise UsageError("can't specify both -seq and -seqList")

    if seq is not None:
        spec = f"{in_name}:{seq}:{start}-{end}" if end > start else f"{in_name}:{seq}"
        path, specs = parse_two_bit_spec(spec)
    elif seq_list is not None:
        _require_two_bit(in_name, in_name)
        path, specs = in_name, _seq_list_file(seq_list) or None  # an empty list: everything, as kent
    else:
        path, specs = parse_two_bit_spec(in_name)

    no_mask = p.flag("noMask")
    with TwoBitFile(path) as tb:
        if specs and p.get("bpt") is not None:
            _check_bpt(p.get("bpt"), tb, specs)
        with atomic_output(out_name) as out:
            if bed is not None:
                items = _read_bed(bed)
                with Progress("twoBitToFa", len(items), "items", enabled=p.progress) as bar:
                    for item in items:
                        label, text = _bed_sequence(tb, item)
                        if p.flag("bedPos"):
                            label = f"{item.chrom}:{item.start}-{item.end}"
                        if no_mask:
                            text = text.upper()
                        write_fasta(out, label, text)
                        bar.update(1)
                return 0
            regions = [SeqSpec(name) for name in tb] if specs is None else specs
            with Progress("twoBitToFa", None, "bases", enabled=p.progress) as bar:
                if bar.enabled:  # the bases to write, for the percentage (checks every region first)
                    checked = (_region(tb, r.name, r.start, r.end) for r in regions)
                    bar.total = sum(end - start for _, start, end in checked)
                for r in regions:
                    _write_region(out, tb, r.name, r.start, r.end, not no_mask, bar)
    return 0


def _bed_sequence(tb, item: _BedItem) -> Tuple[str, str]:
    """Bases of a BED item (blocks joined, introns left out; '-' strand reverse-complemented)."""
    if item.blocks is None:
        _, text = _region_text(tb, item.chrom, item.start, item.end, True)
    else:
        text = "".join(_region_text(tb, item.chrom, s, e, True)[1] for s, e in item.blocks)
    if item.strand.startswith("-"):
        text = reverse_complement(text)
    return item.name, text


# ---------------------------------------------------------------------------------------
# twoBitInfo
# ---------------------------------------------------------------------------------------

TWO_BIT_INFO_USAGE = """\
twoBitInfo - get information about sequences in a .2bit file
usage:
   twoBitInfo input.2bit output.tab
options:
   -maskBed instead of seq sizes, output BED records that define
           areas with masked sequence
   -nBed   instead of seq sizes, output BED records that define
           areas with N's in sequence
   -noNs   outputs the length of each sequence, but does not count Ns
   -udcDir=/dir/to/cache - accepted for compatibility
Output file has the columns::
   seqName size

The 2bit file may be specified in the form path:seq or path:seq1,seq2,seqN...
so that information is returned only on the requested sequence(s).
If the form path:seq:start-end is used, start-end is ignored.
"""


def two_bit_info(argv: List[str]) -> int:
    """`trackpack twoBitInfo in.2bit[:names] out.tab` (see TWO_BIT_INFO_USAGE)."""
    from ..twobit import TwoBitFile

    p = parse_args(
        argv,
        {"maskBed": bool, "nBed": bool, "noNs": bool, "udcDir": str},
        TWO_BIT_INFO_USAGE,
        nargs=2,
    )
    in_name, out_name = p.args
    path, rest = _split_file_spec(in_name)
    names: Optional[List[str]] = None
    if rest is not None:
        names = [n for n in rest.split(":", 1)[0].split(",") if n][:1023]
    bed_of = "mask" if p.flag("maskBed") else "n" if p.flag("nBed") else None
    with TwoBitFile(path) as tb, atomic_output(out_name) as out:
        todo = names if names is not None else list(tb)
        if bed_of is not None:
            _write_blocks_bed(tb, todo, bed_of == "mask", out, p.progress)
            return 0
        lines = []
        for name in todo:
            size = tb[name].size
            if p.flag("noNs"):
                size -= tb.block_bases(name)
            lines.append(f"{name}\t{size}\n")
            if len(lines) > 65536:
                out.write("".join(lines).encode("utf-8", "surrogateescape"))
                lines = []
        out.write("".join(lines).encode("utf-8", "surrogateescape"))
    return 0


def _write_blocks_bed(tb, names: List[str], mask: bool, out, progress: Optional[bool]) -> None:
    """-maskBed / -nBed: BED lines formatted from the tables, one piece at a time; a helper
    thread writes each piece while the next one is formatted (both release the GIL)."""
    piece_lines = 1 << 18
    with Progress("twoBitInfo", None, "blocks", enabled=progress) as bar, ThreadPoolExecutor(
        1, thread_name_prefix="trackpack-bed-writer"
    ) as writer:
        if bar.enabled:  # counting reads every record's header: only when it is shown
            bar.total = sum(tb.block_count(name, mask) for name in names)
        pending: Deque[Future] = deque()
        for name in names:
            left = tb.block_count(name, mask)
            for piece in tb.blocks_bed(name, mask, lines_per_piece=piece_lines):
                pending.append(writer.submit(out.write, piece))
                if len(pending) > 1:  # at most two pieces in memory
                    pending.popleft().result()
                bar.update(min(left, piece_lines))
                left -= piece_lines
        while pending:
            pending.popleft().result()


# ---------------------------------------------------------------------------------------
# faToNib, nibFrag
# ---------------------------------------------------------------------------------------

FA_TO_NIB_USAGE = """\
faToNib - Convert from .fa to .nib format
usage:
   faToNib [options] in.fa out.nib
options:
   -softMask  Create nib that soft-masks lower-case sequence.
   -hardMask  Create nib that hard-masks lower-case sequence.
"""


def fa_to_nib(argv: List[str]) -> int:
    """`trackpack faToNib in.fa out.nib` (see FA_TO_NIB_USAGE)."""
    from ..nib import write_nib

    p = parse_args(argv, {"softMask": bool, "hardMask": bool}, FA_TO_NIB_USAGE, nargs=2)
    in_name, out_name = p.args
    with _plain_warnings():
        summary = write_nib(
            in_name, out_name, mask=p.flag("softMask"), hard_mask=p.flag("hardMask"), progress=p.progress
        )
    if out_name not in ("stdout", "-", "/dev/stdout"):
        print(f"Writing {summary.bases} bases in {summary.bytes} bytes")
    else:  # kent prints this before the data; keep it off the .nib bytes on stdout
        print(f"Writing {summary.bases} bases in {summary.bytes} bytes", file=sys.stderr)
    return 0


NIB_FRAG_USAGE = """\
nibFrag - Extract part of a nib file as .fa (all bases/gaps lower case by default)
usage:
   nibFrag [options] file.nib start end strand out.fa
where strand is + (plus) or m (minus)
options:
   -masked       Use lower-case characters for bases meant to be masked out.
   -hardMasked   Use upper-case for not masked-out, and 'N' characters for masked-out bases.
   -upper        Use upper-case characters for all bases.
   -name=name    Use given name after '>' in output sequence.
   -dbHeader=db  Add full database info to the header, with or without -name option.
   -tbaHeader=db Format header for compatibility with tba, takes database name as argument.
"""


_LOWER_TO_N = str.maketrans({chr(c): "N" for c in range(ord("a"), ord("z") + 1)})


def _leading_number(text: str) -> Optional[int]:
    """nibFrag's numbers: text must start with an ASCII digit (else None); like C atoi, the
    leading digits count and the rest is ignored."""
    end = 0
    while end < len(text) and text[end] in "0123456789":
        end += 1
    return int(text[:end]) if end else None


def nib_frag(argv: List[str]) -> int:
    """`trackpack nibFrag file.nib start end strand out.fa` (see NIB_FRAG_USAGE)."""
    from ..nib import NibFile, _nib_name

    p = parse_args(
        argv,
        {"masked": bool, "hardMasked": bool, "upper": bool, "name": str, "dbHeader": str, "tbaHeader": str},
        NIB_FRAG_USAGE,
        nargs=(0, None),
    )
    if p.flag("masked") and p.flag("hardMasked"):
        raise UsageError("Error: Must choose 'masked' or 'hardMasked' but not both.\n" + NIB_FRAG_USAGE.rstrip("\n"))
    if len(p.args) != 5:
        raise UsageError(NIB_FRAG_USAGE.rstrip("\n"))
    nib_path, start_text, end_text, strand_text, out_name = p.args
    start, end = _leading_number(start_text), _leading_number(end_text)
    strand = strand_text[:1]
    if start is None or end is None or strand not in ("+", "-", "m") or start >= end:
        raise UsageError(NIB_FRAG_USAGE.rstrip("\n"))
    if strand == "m":
        strand = "-"
    mixed = p.flag("masked") or p.flag("hardMasked")
    with NibFile(nib_path) as nib:
        if end > nib.size:
            raise OutOfRangeError(f"nib read past end of file ({end} {nib.size})", path=nib_path)
        text = nib.fetch(start, end, mask=True)
        if not mixed:
            text = text.lower()
        size = nib.size
    if strand == "-":
        text = reverse_complement(text)
    if p.flag("upper"):
        text = text.upper()
    if p.flag("hardMasked"):
        text = text.translate(_LOWER_TO_N)
    name = p.get("name", f"{nib_path}:{start}-{end}")
    if p.get("dbHeader") is not None:
        header = f"{name}:{p.get('dbHeader')}.{_nib_name(nib_path)}:{start}-{end}:{strand}:{size}"
    elif p.get("tbaHeader") is not None:
        header = f"{p.get('tbaHeader')}.{_nib_name(nib_path)}:{start}-{end} of {size}"
    else:
        header = name
    header = header.encode("utf-8", "surrogateescape")[:254].decode("utf-8", "surrogateescape")
    with atomic_output(out_name) as out:
        write_fasta(out, header, text)
    return 0
