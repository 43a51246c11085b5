"""Test-only bigBed files: a small independent writer and random BED items.

The reader is tested on files this module writes (all versions, both byte orders,
compressed or not, deep trees, extra indexes, zoom levels) in addition to the corpus and
to files written by kent's tools and pybigtools.  It is deliberately simple and separate
from ``trackpack.bbi.writer``: it lays the file out as kent does (formats.md), using the
shared tree writers of ``trackpack.bbi.bptree`` / ``rtree`` with a byte-order argument.
"""
from __future__ import annotations

import io
import random
import struct
import zlib
from typing import Dict, List, Optional, Sequence, Tuple

from trackpack.autosql import standard_bed_autosql
from trackpack.bbi.bptree import write_bptree
from trackpack.bbi.layout import (
    BIGBED_MAGIC,
    CHROM_VALUE,
    EXTENSION,
    EXTRA_INDEX,
    EXTRA_INDEX_FIELD,
    HEADER,
    OFFSET_SIZE_VALUE,
    TOTAL_SUMMARY,
    ZOOM_HEADER,
    ZOOM_RECORD,
)
from trackpack.bbi.rtree import write_rtree
from trackpack.bbi.summary import coverage_pieces

Item = Tuple[str, int, int, str]


class CountingBytesIO(io.BytesIO):
    """A file object that counts the reads made of it."""

    reads = 0

    def read(self, *args):
        self.reads += 1
        return super().read(*args)


def _zoom_records(chrom_id: int, runs, reduction: int) -> List[tuple]:
    """Zoom records over windows of ``reduction`` bases aligned to 0 (true depth stats)."""
    windows: Dict[int, list] = {}
    for s, e, d in runs:
        w = s - s % reduction
        while w < e:
            lo, hi = max(s, w), min(e, w + reduction)
            st = windows.setdefault(w, [0, None, None, 0.0, 0.0, lo, hi])
            n = hi - lo
            st[0] += n
            st[1] = d if st[1] is None else min(st[1], d)
            st[2] = d if st[2] is None else max(st[2], d)
            st[3] += d * n
            st[4] += d * d * n
            st[5] = min(st[5], lo)
            st[6] = max(st[6], hi)
            w += reduction
    return [
        (chrom_id, st[5], st[6], st[0], float(st[1]), float(st[2]), st[3], st[4])
        for w, st in sorted(windows.items())
    ]


def write_test_bigbed(
    path,
    items: Sequence[Item],
    chrom_sizes: Dict[str, int],
    *,
    order: str = "<",
    version: int = 4,
    compress: bool = True,
    items_per_slot: int = 512,
    block_size: int = 256,
    field_count: Optional[int] = None,
    defined_field_count: Optional[int] = None,
    autosql: Optional[str] = "default",
    extra_index: Sequence[str] = (),
    zoom_reductions: Sequence[int] = (),
    chrom_names: Optional[Sequence[str]] = None,
    mixed_blocks: bool = False,
) -> bytes:
    """Write ``items`` (sorted by chromosome name bytes, then start) as a bigBed.

    ``autosql="default"`` stores the standard bedN schema for the field count; None
    stores none.  ``extra_index`` names fields (from the autoSql) to index.
    ``mixed_blocks`` lets a block run on into the next chromosome (kent starts a new
    block at each chromosome; the format does not require it).  Returns the file's bytes
    (and writes them to ``path`` unless it is None).
    """
    compress = compress and version >= 3
    names = sorted(chrom_names or {c for c, *_ in items} or chrom_sizes, key=lambda n: n.encode())
    ids = {name: i for i, name in enumerate(names)}
    if field_count is None:
        rest_fields = max((len(r.split("\t")) if r else 0 for *_, r in items), default=0)
        field_count = 3 + rest_fields
    if defined_field_count is None:
        defined_field_count = min(field_count, 12)
    if autosql == "default":
        autosql = standard_bed_autosql(min(max(defined_field_count, 3), 15), field_count)
    pack = lambda fmt, *v: struct.pack(order + fmt, *v)  # noqa: E731

    # blocks: up to items_per_slot items of one chromosome
    blocks: List[Tuple[int, List[Item]]] = []
    for item in items:
        cid = ids[item[0]]
        if blocks and (mixed_blocks or blocks[-1][0] == cid) and len(blocks[-1][1]) < items_per_slot:
            blocks[-1][1].append(item)
        else:
            blocks.append((cid, [item]))

    out = io.BytesIO()
    out.write(b"\0" * (HEADER.size + ZOOM_HEADER.size * len(zoom_reductions)))
    autosql_offset = 0
    if autosql is not None:
        autosql_offset = out.tell()
        out.write(autosql.encode() + b"\0")
    total_offset = 0
    if version >= 2:
        total_offset = out.tell()
        out.write(b"\0" * TOTAL_SUMMARY.size)
    extension_offset = out.tell() if (extra_index or version >= 4) else 0
    if extension_offset:
        out.write(b"\0" * EXTENSION.size)
    extra_list_offset = out.tell() if extra_index else 0
    if extra_index:
        out.write(b"\0" * ((EXTRA_INDEX.size + EXTRA_INDEX_FIELD.size) * len(extra_index)))
    chrom_tree_offset = out.tell()
    key_size = max((len(n.encode()) for n in names), default=1)
    write_bptree(
        out,
        [(n.encode(), CHROM_VALUE.pack(order, ids[n], chrom_sizes[n])) for n in names],
        min(block_size, max(len(names), 1)),
        key_size,
        CHROM_VALUE.size,
        order,
    )
    data_offset = out.tell()
    out.write(pack("Q" if version >= 2 else "I", len(items)))
    leaves = []
    max_block = 0
    block_of_item: List[Tuple[int, int]] = []
    for _, chunk in blocks:
        raw = b"".join(
            pack("III", ids[c], s, e) + r.encode("utf-8", "surrogateescape") + b"\0" for c, s, e, r in chunk
        )
        max_block = max(max_block, len(raw))
        stored = zlib.compress(raw) if compress else raw
        offset = out.tell()
        out.write(stored)
        # bounds: the least (chrom, start) and the greatest (chrom, end) of the block
        low = min((ids[c], s) for c, s, _, _ in chunk)
        high = max((ids[c], e) for c, _, e, _ in chunk)
        leaves.append((*low, *high, offset, len(stored)))
        block_of_item.extend([(offset, len(stored))] * len(chunk))
    index_offset = out.tell()
    write_rtree(out, leaves, block_size, items_per_slot, index_offset, order)

    zoom_headers = []
    per_chrom: Dict[int, List[Tuple[int, int]]] = {}
    for c, s, e, _ in items:
        per_chrom.setdefault(ids[c], []).append((s, e))
    # true depth runs (coverage_pieces is checked against per-base counting in the tests)
    runs = {cid: coverage_pieces(v, 0, 1 << 32) for cid, v in per_chrom.items()}
    for reduction in zoom_reductions:
        records = [rec for cid in sorted(runs) for rec in _zoom_records(cid, runs[cid], reduction)]
        zoom_data = out.tell()
        out.write(pack("I", len(records)))
        zleaves = []
        for first in range(0, len(records), items_per_slot):
            chunk = records[first : first + items_per_slot]
            raw = b"".join(ZOOM_RECORD.pack(order, *r) for r in chunk)
            max_block = max(max_block, len(raw))
            stored = zlib.compress(raw) if compress else raw
            offset = out.tell()
            out.write(stored)
            zleaves.append((chunk[0][0], chunk[0][1], chunk[-1][0], max(r[2] for r in chunk), offset, len(stored)))
        zoom_index = out.tell()
        write_rtree(out, zleaves, block_size, items_per_slot, zoom_index, order)
        zoom_headers.append((reduction, 0, zoom_data, zoom_index))

    extra_offsets = []
    for field in extra_index:
        columns = _field_names(autosql)
        fid = columns.index(field)
        values = []
        for item, where in zip(items, block_of_item):
            fields = [item[0], str(item[1]), str(item[2])] + (item[3].split("\t") if item[3] else [])
            key = fields[fid].encode() if fid < len(fields) else b""
            values.append((key, OFFSET_SIZE_VALUE.pack(order, *where)))
        values.sort(key=lambda kv: kv[0])
        extra_offsets.append((fid, out.tell()))
        write_bptree(
            out, values, min(block_size, max(len(values), 1)), max((len(k) for k, _ in values), default=1), 16, order
        )
    if version >= 4:
        out.write(pack("I", BIGBED_MAGIC))

    buf = bytearray(out.getvalue())
    all_runs = [r for v in runs.values() for r in v]
    covered = sum(e - s for s, e, _ in all_runs)
    total = (
        covered,
        float(min((d for *_, d in all_runs), default=0)),
        float(max((d for *_, d in all_runs), default=0)),
        float(sum((e - s) * d for s, e, d in all_runs)),
        float(sum((e - s) * d * d for s, e, d in all_runs)),
    )
    if total_offset:
        buf[total_offset : total_offset + TOTAL_SUMMARY.size] = TOTAL_SUMMARY.pack(order, *total)
    if extension_offset:
        buf[extension_offset : extension_offset + EXTENSION.size] = EXTENSION.pack(
            order, EXTENSION.size, len(extra_index), extra_list_offset
        )
    at = extra_list_offset
    for fid, tree_offset in extra_offsets:
        entry = EXTRA_INDEX.pack(order, 0, 1, tree_offset) + EXTRA_INDEX_FIELD.pack(order, fid, 0)
        buf[at : at + len(entry)] = entry
        at += len(entry)
    for i, z in enumerate(zoom_headers):
        at = HEADER.size + i * ZOOM_HEADER.size
        buf[at : at + ZOOM_HEADER.size] = ZOOM_HEADER.pack(order, *z)
    header = HEADER.pack(
        order,
        BIGBED_MAGIC,
        version,
        len(zoom_headers),
        chrom_tree_offset,
        data_offset,
        index_offset,
        field_count,
        defined_field_count,
        autosql_offset,
        total_offset,
        max_block if compress else 0,
        extension_offset,
    )
    buf[: HEADER.size] = header
    data = bytes(buf)
    if path is not None:
        with open(path, "wb") as f:
            f.write(data)
    return data


def _field_names(autosql: Optional[str]) -> List[str]:
    from trackpack.autosql import parse_autosql

    return parse_autosql(autosql or standard_bed_autosql(3)).field_names


WORDS = ["gene", "peak", "ζ-元素", "x y", "", "TP53", "a,b,", "café"]


def random_items(
    rng: random.Random,
    *,
    chroms: int = 3,
    per_chrom: int = 200,
    bed_fields: int = 6,
    max_size: int = 100_000,
    long_items: float = 0.05,
    zero_length: float = 0.05,
    ascii_only: bool = False,
) -> Tuple[List[Item], Dict[str, int]]:
    """Random sorted items over ``chroms`` chromosomes (names sorted byte-wise).

    Includes zero-length items (also at 0 and at the chromosome end), long items,
    duplicates and UTF-8 / space / empty text in the name field.
    """
    words = [w for w in WORDS if w.isascii()] if ascii_only else WORDS
    sizes = {f"chr{rng.choice(['', 'Un_'])}{i}": rng.randint(1_000, max_size) for i in range(chroms)}
    items: List[Item] = []
    for name in sorted(sizes, key=lambda n: n.encode()):
        size = sizes[name]
        chrom_items = []
        for _ in range(rng.randint(0, per_chrom)):
            r = rng.random()
            if r < zero_length:
                s = rng.choice([0, size, rng.randint(0, size)])
                e = s
            elif r < zero_length + long_items:
                s = rng.randint(0, size - 1)
                e = rng.randint(s, size)
            else:
                s = rng.randint(0, size - 1)
                e = min(size, s + rng.randint(1, 2_000))
            chrom_items.append((s, e))
        if chrom_items and rng.random() < 0.3:
            chrom_items.append(chrom_items[0])  # an exact duplicate
        for n, (s, e) in enumerate(sorted(chrom_items)):
            if bed_fields == 3:
                rest = ""
            else:
                fields = [f"{rng.choice(words)}{n}", str(rng.randint(0, 1000)), rng.choice("+-.")]
                rest = "\t".join(fields[: bed_fields - 3])
            items.append((name, s, e, rest))
    return items, sizes


def overlapping(items: Sequence[Item], chrom: str, start: int, end: int) -> List[Item]:
    """Brute force of kent's current query rule, in file order."""
    return [
        it
        for it in items
        if it[0] == chrom
        and ((it[1] < end and it[2] > start) or (it[1] == it[2] and (it[1] == start or it[1] == end)))
    ]
