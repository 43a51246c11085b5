"""The compiled fast path of the GTF conversion (cext/gtftok.pyx), with its fallbacks.

The kernel converts a whole chromosome at C speed when every line is ordinary.  It hands
back what it does not handle exactly: a chromosome with an unusual or bad line
(:func:`convert` returns None and the caller uses the Python reference in
:mod:`.gtf`), or single transcripts that must be reported or converted by the reference
(:func:`fallback_transcripts`).  Without the compiled kernels everything takes the Python
path; results are the same, only slower.
"""
from __future__ import annotations

from typing import Dict, Iterator, List, Optional, Sequence, Tuple

from ..errors import KernelsMissingError
from . import gtf as gtfmod
from .biggenepred import BIOTYPE_COLORS, coding_types
from .partition import Partition

__all__ = [
    "kernel",
    "convert",
    "fallback_transcripts",
    "decode_rows",
    "SeenTranscripts",
    "fnv1a",
    "MODE_GENEPRED",
    "MODE_BIGGENEPRED",
]

MODE_GENEPRED = 1
MODE_BIGGENEPRED = 2

_KERNEL = None
_LOADED = False


def kernel():
    """The compiled kernel module, or None when trackpack was installed without kernels."""
    global _KERNEL, _LOADED
    if not _LOADED:
        _LOADED = True
        try:
            from .._kernels import load

            _KERNEL = load("gtftok")
        except KernelsMissingError:
            _KERNEL = None
    return _KERNEL


def convert(part: Partition, name: str, mode: int, *, extended: bool = True, include_version: bool = False,
            gene_name_as_name2: bool = False, with_bin: bool = False, implied_stop: bool = False,
            info: bool = False, tags=None, gene_types=None, transcript_types=None,
            color_by_biotype: bool = False) -> Optional[dict]:
    """Run the kernel on sequence ``name``; None when the Python reference must do it.

    The result is the kernel's dict (see ``convert_chromosome``) plus ``buf`` (the lines)
    for :func:`fallback_transcripts`.
    """
    k = kernel()
    if k is None:
        return None
    import numpy as np

    buf, starts = part.read(name)
    run_offsets = np.fromiter((s for s, _ in starts), dtype=np.int64, count=len(starts))
    run_lines = np.fromiter((n for _, n in starts), dtype=np.int64, count=len(starts))
    enc = lambda values: None if values is None else [v.encode("utf-8", "surrogateescape") for v in values]
    rgb = None
    if color_by_biotype:
        rgb = [BIOTYPE_COLORS[c].encode() for c in ("coding", "noncoding", "pseudogene")]
    res = k.convert_chromosome(
        buf, run_offsets, run_lines, name.encode("utf-8", "surrogateescape"), mode,
        extended=extended, include_version=include_version, gene_name_as_name2=gene_name_as_name2,
        with_bin=with_bin, implied_stop=implied_stop, info=info, tags=enc(tags),
        gene_types=enc(gene_types), transcript_types=enc(transcript_types),
        coding_types=[t.encode() for t in coding_types()], rgb=rgb,
    )
    if res["status"] != 0:
        return None
    res["buf"] = buf
    return res


def fallback_transcripts(res: dict, path: str) -> Iterator[gtfmod.Transcript]:
    """The transcripts the kernel handed back, parsed by the Python reference.

    Errors in their lines propagate as :class:`~trackpack.errors.FormatError`.
    """
    buf = res["buf"]
    state = {"is_gtf": True}
    for fb in res["fallback"]:
        raw = [(int(lineno), buf[int(off):int(off) + int(size)]) for off, size, lineno in fb]
        lines = gtfmod.read_gtf_lines(raw, path, state=state)
        yield from gtfmod.group_transcripts(lines)


def decode_rows(data: bytes) -> List[str]:
    """Rows of a kernel result as text lines (without newlines)."""
    if not data:
        return []
    text = data.decode("utf-8", "surrogateescape")
    rows = text.split("\n")
    if rows and rows[-1] == "":
        rows.pop()
    return rows


class SeenTranscripts:
    """The transcript ids of each sequence, kept compactly (a 64-bit hash per id and the ids
    as one bytes per sequence), to find ids used on two sequences once all are read."""

    def __init__(self) -> None:
        self.seqs: List[str] = []
        self.hashes: list = []
        self.blobs: List[bytes] = []
        self.first_lines: list = []

    def add(self, seq: str, blob: bytes, hashes, first_lines) -> None:
        self.seqs.append(seq)
        self.blobs.append(blob)
        self.hashes.append(hashes)
        self.first_lines.append(first_lines)

    def add_names(self, seq: str, names: Sequence[str], first_lines: Sequence[int]) -> None:
        import numpy as np

        ids = [n.encode("utf-8", "surrogateescape") for n in names]
        self.add(seq, b"".join(i + b"\n" for i in ids),
                 np.array([fnv1a(i) for i in ids], dtype=np.uint64),
                 np.array(first_lines, dtype=np.int64))

    def conflicts(self) -> List[Tuple[str, str, str, int]]:
        """``(id, first sequence, other sequence, first line there)`` for each id on two
        sequences, in reading order."""
        import numpy as np

        if len(self.hashes) < 2:
            return []
        h = np.concatenate(self.hashes)
        seq = np.repeat(np.arange(len(self.hashes)), [len(x) for x in self.hashes])
        pos = np.concatenate([np.arange(len(x)) for x in self.hashes])
        order = np.argsort(h, kind="stable")
        hs = h[order]
        dup = np.nonzero(hs[1:] == hs[:-1])[0]
        if not len(dup):
            return []
        names_cache: Dict[int, List[bytes]] = {}

        def name(k: int, i: int) -> bytes:
            if k not in names_cache:
                names_cache[k] = self.blobs[k].split(b"\n")
            return names_cache[k][i]

        found = []
        for d in dup:
            a, b = order[d], order[d + 1]
            ka, kb = int(seq[a]), int(seq[b])
            if ka == kb:
                continue
            ia, ib = int(pos[a]), int(pos[b])
            if name(ka, ia) == name(kb, ib):
                tid = name(ka, ia).decode("utf-8", "surrogateescape")
                found.append((kb, ib, tid, self.seqs[ka], self.seqs[kb], int(self.first_lines[kb][ib])))
        found.sort()
        seen = set()
        out = []
        for _, _, tid, sa, sb, line in found:
            if tid not in seen:
                seen.add(tid)
                out.append((tid, sa, sb, line))
        return out


def fnv1a(data: bytes) -> int:
    """64-bit FNV-1a, the hash the kernel gives transcript ids."""
    h = 0xCBF29CE484222325
    for c in data:
        h = ((h ^ c) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return h
