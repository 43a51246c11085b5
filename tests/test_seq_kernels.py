"""Every kernel of cext/seqcodec.pyx against a plain-Python reference, on random input.

The references restate kent's rules directly (src/lib/twoBit.c, dnautil.c, nib.c,
src/utils/faToTwoBit/faToTwoBit.c) rather than reusing trackpack's tables, so the table
builders are checked too.
"""
from __future__ import annotations

import io
import random
import struct
import sys
from array import array

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trackpack import _kernels
from trackpack.fasta import _KEEP
from trackpack.nib import nib_table
from trackpack.twobit import packing_table

codec = _kernels.load("seqcodec")

# --- references ----------------------------------------------------------------------------

CODE = {"T": 0, "C": 1, "A": 2, "G": 3, "U": 0}  # kent ntValNoN; anything else packs as T (0)
LETTERS = "TCAG"


def kent_fa_filter(text: bytes) -> bytes:
    """kent's FASTA reader keeps letters and '-' only."""
    return bytes(b for b in text if chr(b).isalpha() and b < 128 or b == ord("-"))


def kent_prepare(seq: bytes, mask: bool) -> str:
    """faToTwoBit: unknownToN (mask) or faToDna (noMask) on the sequence text."""
    out = []
    for b in seq:
        c = chr(b)
        known = c.lower() in "acgtnu" or c == "-"
        if mask:
            out.append(c if known else ("N" if c.isupper() else "n"))
        else:
            out.append((c.lower() if c != "-" else "n") if known else "n")
    return "".join(out)


def ref_pack(text: str, mask: bool):
    """kent twoBitFromDnaSeq: packed bytes, N blocks and lower-case blocks."""
    packed = bytearray()
    for i in range(0, len(text), 4):
        quad = text[i:i + 4].ljust(4, "T")
        byte = 0
        for c in quad:
            byte = (byte << 2) | CODE.get(c.upper(), 0)
        packed.append(byte)
    if not text:
        packed = bytearray()

    def runs(pred):
        blocks, start = [], None
        for i, c in enumerate(text):
            if pred(c):
                if start is None:
                    start = i
            elif start is not None:
                blocks.append((start, i))
                start = None
        if start is not None:
            blocks.append((start, len(text)))
        return blocks

    n_blocks = runs(lambda c: c in "nN")
    mask_blocks = runs(lambda c: c.islower()) if mask else []
    return bytes(packed), n_blocks, mask_blocks


def ref_decode(packed: bytes, start: int, end: int, n_blocks, mask_blocks, mask: bool) -> str:
    """kent twoBitReadSeqFragExt + twoBitToFa: N runs, then upper case, then mask runs."""
    chars = [LETTERS[(packed[i >> 2] >> (6 - 2 * (i & 3))) & 3] for i in range(start, end)]
    for s, e in n_blocks:
        for i in range(max(s, start), min(e, end)):
            chars[i - start] = "N"
    if mask:
        for s, e in mask_blocks:
            for i in range(max(s, start), min(e, end)):
                chars[i - start] = chars[i - start].lower()
    return "".join(chars)


def ref_nib_pack(seq: bytes, mask: bool, hard_mask: bool) -> bytes:
    """kent faToNib: maskLower (hardMask), then ntValMasked (softMask) or ntVal5."""
    text = seq.decode("latin-1")
    if hard_mask:
        text = "".join(c.lower() if c.isupper() else "n" for c in text)
    vals = []
    for c in text:
        v = CODE.get(c.upper(), 4) if c.isalpha() else 4
        if mask and c.islower():
            v |= 8
        vals.append(v)
    if len(vals) % 2:
        vals.append(0)
    return bytes((vals[i] << 4) | vals[i + 1] for i in range(0, len(vals), 2))


def ref_nib_unpack(data: bytes, start: int, n: int, mask: bool):
    out, bad = [], -1
    for i in range(n):
        pos = start + i
        v = data[pos >> 1] >> 4 if pos % 2 == 0 else data[pos >> 1] & 15
        base = v & 7
        if base > 4:
            out.append("\0")
            if bad < 0:
                bad = i
            continue
        c = "TCAGN"[base]
        out.append(c.lower() if (mask and v & 8) else c)
    return "".join(out).encode("latin-1"), bad


# --- random inputs -------------------------------------------------------------------------

ALPHABETS = ["ACGT", "acgt", "N", "n", "RYKMSWBDHVX", "ryk", "Uu", "-", "\n", "\r\n", " 1*.", "ACGTN", "acgtn"]


def run_text(rng: random.Random, length: int) -> bytes:
    """Text in runs of one alphabet (long enough for the 16-byte path, with boundaries)."""
    out = []
    while sum(map(len, out)) < length:
        alphabet = rng.choice(ALPHABETS)
        size = rng.choice([1, 2, 3, 7, 15, 16, 17, 31, 40, 64, 100, 300])
        out.append("".join(rng.choice(alphabet) for _ in range(size)))
    return "".join(out)[:length].encode()


def random_inputs(seed: int, count: int):
    rng = random.Random(seed)
    for _ in range(count):
        yield rng, run_text(rng, rng.choice([0, 1, 3, 4, 5, 17, 33, 64, 100, 257, 1000, 4099]))


# --- .2bit packing ---------------------------------------------------------------------------


def pack(text: bytes, table: bytes, pieces=None, vector=True):
    packer = codec.TwoBitPacker(table, vector)
    if pieces is None:
        packer.feed(text)
    else:
        for piece in pieces:
            packer.feed(piece)
    packer.finish()
    n_blocks, mask_blocks = packer.blocks()
    return packer, bytes(packer.packed()), n_blocks, mask_blocks


@pytest.mark.parametrize("mask", [True, False])
@pytest.mark.parametrize("fasta", [True, False])
def test_packer_matches_kent_rules(mask, fasta):
    table = packing_table(mask, fasta)
    for rng, text in random_inputs(1 + mask + 2 * fasta, 300):
        seq = kent_fa_filter(text) if fasta else text
        if not fasta:
            # sequences given directly: other bytes are N, not dropped
            seq = bytes(b if (chr(b).isalpha() or b == ord("-")) else ord("N") for b in seq)
        expected = ref_pack(kent_prepare(seq, mask), mask)
        cut = sorted(rng.sample(range(len(text) + 1), min(3, len(text) + 1)))
        pieces = [text[a:b] for a, b in zip([0] + cut, cut + [len(text)])]
        for chunks in (None, pieces):
            for vector in (True, False):  # the 16-byte path and the portable one
                packer, packed, n_blocks, mask_blocks = pack(text, table, chunks, vector)
                assert (packed, n_blocks, mask_blocks) == expected
                assert packer.size == len(seq)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=200), st.booleans(), st.booleans())
def test_packer_any_bytes(data, mask, fasta):
    table = packing_table(mask, fasta)
    seq = kent_fa_filter(data) if fasta else bytes(
        b if (b < 128 and (chr(b).isalpha() or b == ord("-"))) else ord("N") for b in data
    )
    _, packed, n_blocks, mask_blocks = pack(data, table)
    assert (packed, n_blocks, mask_blocks) == ref_pack(kent_prepare(seq, mask), mask)


def test_packer_counts_newlines_and_record_header():
    packer = codec.TwoBitPacker(packing_table(True, True))
    packer.feed(b"ACGTnnNNac\nGT\n\nTT")
    packer.finish()
    assert packer.newlines == 3
    n_blocks, mask_blocks = packer.blocks()
    assert n_blocks == [(4, 8)] and mask_blocks == [(4, 6), (8, 10)]
    for swap in (False, True):
        order = "<" if (sys.byteorder == "little") != swap else ">"
        expected = struct.pack(order + "IIIIIIIIII", 14, 1, 4, 4, 2, 4, 8, 2, 2, 0)
        assert packer.record_header(swap) == expected


def test_packer_life_cycle_errors():
    packer = codec.TwoBitPacker(packing_table(True, True))
    with pytest.raises(ValueError):
        packer.record_header(False)
    packer.feed(b"ACGT")
    packer.finish()
    with pytest.raises(ValueError):
        packer.feed(b"A")
    packer.reset()
    packer.feed(b"")
    packer.finish()
    assert packer.size == 0 and bytes(packer.packed()) == b""
    with pytest.raises(ValueError):
        codec.TwoBitPacker(b"short")


# --- FASTA text -> .2bit records (TwoBitRecordWriter) ----------------------------------------

BLANKS = b" \t\r\n\v\f"


def ref_fasta(text: bytes):
    """kent's FASTA rules as trackpack states them: (name, header line, sequence bytes) per
    record, or an error (status name, line) for text that is not FASTA."""
    records, current = [], None
    lines = text.split(b"\n")
    for number, raw in enumerate(lines, 1):
        if number == len(lines) and raw == b"":
            break  # text ending in a newline
        if raw.startswith(b">"):
            words = raw[1:].split()
            if not words:
                return ("WRITER_NO_NAME", number)
            current = [words[0], number, []]
            records.append(current)
        elif current is None:
            if raw.strip(BLANKS):
                return ("WRITER_NOT_FASTA", number)
        else:
            current[2].append(kent_fa_filter(raw))
    if current is None:
        return ("WRITER_NO_RECORDS", len(text.split(b"\n")))
    return [(name, line, b"".join(parts)) for name, line, parts in records]


def ref_record(seq: bytes, mask: bool, order: str = "<") -> bytes:
    """One .2bit record as kent's faToTwoBit writes it."""
    packed, n_blocks, mask_blocks = ref_pack(kent_prepare(seq, mask), mask)

    def table(blocks):
        return struct.pack(f"{order}I{len(blocks)}I{len(blocks)}I", len(blocks), *[s for s, _ in blocks],
                           *[e - s for s, e in blocks])

    return struct.pack(order + "I", len(seq)) + table(n_blocks) + table(mask_blocks) + b"\0\0\0\0" + packed


def random_fasta(rng: random.Random) -> bytes:
    parts = [rng.choice([b"", b"\n", b" \r\n\n"])]
    for i in range(rng.randrange(0, 12)):
        name = rng.choice([b"r", b"chr", b"NM_0001.1", b"a.b c"]) + str(i).encode()
        parts.append(b">" + rng.choice([b"", b" ", b"\t"]) + name + rng.choice([b"", b" desc > x", b"\r"]) + b"\n")
        size = rng.choice([0, 0, 1, 3, 16, 50, 333, 2000])
        body = run_text(rng, size)
        parts.append(body.replace(b">", b"").replace(b"\n", b"\n" + rng.choice([b"", b"x>y", b" "])))
        if rng.random() < 0.8:
            parts.append(b"\n")
    return b"".join(parts)


def write_records(tmp_path, text: bytes, mask=True, pieces=None, vector=True, max_bases=0xFFFFFFFF, swap=False):
    """Feed ``text`` to a TwoBitRecordWriter; (spool bytes, names, empty, status, writer)."""
    path = tmp_path / "spool"
    with open(path, "wb") as spool:
        writer = codec.TwoBitRecordWriter(packing_table(mask, True), spool.fileno(), swap, max_bases, vector)
        writer.begin_source()
        names, empty, status = [], [], None
        for piece in (pieces if pieces is not None else [text]):
            status = writer.feed(piece)
            got, gone = writer.take()
            empty += [(len(names) + position, name, line) for position, name, line in gone]
            names += got
            if status is not None:
                break
        if status is None:
            status = writer.end_source()
            got, gone = writer.take()
            empty += [(len(names) + position, name, line) for position, name, line in gone]
            names += got
    return path.read_bytes(), names, empty, status, writer


def split_randomly(rng: random.Random, text: bytes):
    cuts = sorted(rng.sample(range(len(text) + 1), min(len(text) + 1, rng.choice([0, 1, 3, 10]))))
    if rng.random() < 0.2:
        cuts = list(range(len(text) + 1))  # one byte at a time
    return [text[a:b] for a, b in zip([0] + cuts, cuts + [len(text)])]


def check_writer_against_reference(tmp_path, text: bytes, rng: random.Random) -> None:
    expected = ref_fasta(text)
    mask = rng.random() < 0.7
    spool, names, empty, status, writer = write_records(
        tmp_path, text, mask, split_randomly(rng, text), vector=rng.random() < 0.7
    )
    if isinstance(expected, tuple):
        assert status is not None and status[0] == getattr(codec, expected[0]) and status[1] == expected[1]
        return
    assert status is None
    full = [r for r in expected if r[2]]
    assert names == [name for name, _, _ in full]
    assert [(name, line) for _, name, line in empty] == [(name, line) for name, line, seq in expected if not seq]
    assert spool == b"".join(ref_record(seq, mask) for _, _, seq in full)
    assert [writer.line_of(i) for i in range(len(full))] == [line for _, line, _ in full]
    assert writer.total_bases == sum(len(seq) for _, _, seq in full) and writer.written == len(spool)
    assert array("Q", writer.record_sizes()).tolist() == [len(ref_record(seq, mask)) for _, _, seq in full]
    assert array("Q", writer.record_bases()).tolist() == [len(seq) for _, _, seq in full]


def test_record_writer_matches_reference(tmp_path):
    rng = random.Random(11)
    for _ in range(300):
        check_writer_against_reference(tmp_path, random_fasta(rng), rng)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from([b">", b">a", b"> b c", b"\n", b"\r\n", b" ", b"ACGT", b"acgtn", b"N", b"x>", b"R-"]),
                max_size=30), st.integers(0, 2 ** 32))
def test_record_writer_any_token_soup(tmp_path_factory, tokens, seed):
    check_writer_against_reference(tmp_path_factory.mktemp("soup"), b"".join(tokens), random.Random(seed))


def test_record_writer_many_records_and_big_ones(tmp_path):
    """Thousands of short records share batched writes; a long one goes straight out."""
    rng = random.Random(12)
    records = [(f"read{i}".encode(), run_text(rng, rng.randrange(1, 200))) for i in range(3000)]
    records.insert(1500, (b"long", b"ACGTacgtNN" * 60000))  # packed size above the batch limit
    text = b"".join(b">" + name + b"\n" + seq + b"\n" for name, seq in records)
    spool, names, empty, status, writer = write_records(tmp_path, text, pieces=split_randomly(rng, text))
    full = [(name, kent_fa_filter(seq)) for name, seq in records]
    assert status is None
    assert names == [name for name, seq in full if seq]
    assert spool == b"".join(ref_record(seq, True) for _, seq in full if seq)


def test_record_writer_whole_sequences_and_byte_order(tmp_path):
    path = tmp_path / "spool"
    with open(path, "wb") as spool:
        writer = codec.TwoBitRecordWriter(packing_table(True, False), spool.fileno(), True, 0xFFFFFFFF)
        assert writer.add_sequence(b"x", b"ACGTnnRy\n", 1) is None
        assert writer.add_sequence(b"e", b"", 2) is None
        assert writer.flush() is None
        assert writer.take() == ([b"x"], [(1, b"e", 2)])
    order = ">" if sys.byteorder == "little" else "<"
    assert path.read_bytes() == ref_record(b"ACGTnnNnN", True, order)


def test_record_writer_reports_problems(tmp_path):
    *_, status, _ = write_records(tmp_path, b">a\nACGTACGT\n>b\nAC\n", max_bases=5)
    assert status == (codec.WRITER_TOO_LONG, 1, b"a")
    *_, status, _ = write_records(tmp_path, b">\r\nAC\n")
    assert status[:2] == (codec.WRITER_NO_NAME, 1)
    *_, status, _ = write_records(tmp_path, b"\n\n>a\n>")
    assert status[:2] == (codec.WRITER_NO_NAME, 4)
    *_, status, _ = write_records(tmp_path, b"\n \nACGT\n>a\n")
    assert status[:2] == (codec.WRITER_NOT_FASTA, 3)
    *_, status, _ = write_records(tmp_path, b"\n\n")
    assert status[:2] == (codec.WRITER_NO_RECORDS, 3)
    with open(tmp_path / "spool", "rb") as read_only:
        writer = codec.TwoBitRecordWriter(packing_table(True, True), read_only.fileno(), False, 100)
        writer.begin_source()
        writer.feed(b">a\nACGT\n")
        code, _, error_number = writer.end_source()
        assert code == codec.WRITER_IO_ERROR and error_number > 0
    with pytest.raises(ValueError, match="newlines"):
        codec.TwoBitRecordWriter(packing_table(True, False), 1, False, 100).begin_source()


def test_index_entries_match_struct():
    rng = random.Random(13)
    for _ in range(100):
        names = [bytes(rng.randrange(256) for _ in range(rng.randrange(0, 256))) for _ in range(rng.randrange(0, 8))]
        sizes = [rng.randrange(16, 10 ** 6) for _ in names]
        for offset_size, swap in ((4, False), (8, False), (4, True), (8, True)):
            order = "<" if (sys.byteorder == "little") != swap else ">"
            pos = 16 + sum(1 + len(n) + offset_size for n in names)
            expected = b""
            for name, size in zip(names, sizes):
                expected += bytes([len(name)]) + name + struct.pack(order + ("I" if offset_size == 4 else "Q"), pos)
                pos += size
            assert codec.index_entries(names, array("Q", sizes), offset_size, swap) == expected
    assert codec.index_entries([b"a", b"b"], array("Q", [2 ** 32, 1]), 4, False) is None
    with pytest.raises(ValueError):
        codec.index_entries([b"a"], array("Q", []), 4, False)


# --- .2bit unpacking -------------------------------------------------------------------------


def test_unpack_any_offset():
    rng = random.Random(7)
    for _ in range(300):
        packed = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 40)))
        total = len(packed) * 4
        start = rng.randrange(total + 1)
        n = rng.randrange(total - start + 1)
        assert codec.unpack_2bit(packed, start, n).decode() == ref_decode(packed, start, start + n, [], [], False)


def test_unpack_checks_bounds():
    with pytest.raises(ValueError):
        codec.unpack_2bit(b"\x00", 1, 4)
    with pytest.raises(ValueError):
        codec.unpack_2bit(b"\x00", -1, 1)


def block_table(blocks, swap=False):
    order = "<" if (sys.byteorder == "little") != swap else ">"
    starts = [s for s, _ in blocks]
    sizes = [e - s for s, e in blocks]
    return struct.pack(f"{order}{2 * len(blocks)}I", *starts, *sizes)


def test_apply_runs_clips_and_finds_blocks():
    rng = random.Random(11)
    for _ in range(300):
        size = rng.randrange(1, 300)
        points = sorted(rng.sample(range(size + 1), min(size + 1, 2 * rng.randrange(0, 8))))
        blocks = [(points[i], points[i + 1]) for i in range(0, len(points) - 1, 2) if points[i] < points[i + 1]]
        start = rng.randrange(size)
        end = rng.randrange(start, size + 1)
        swap = rng.random() < 0.5
        lower = rng.random() < 0.5
        buf = bytearray(b"A" * (end - start))
        codec.apply_runs(buf, start, block_table(blocks, swap), len(blocks), swap, lower)
        expected = bytearray(b"A" * (end - start))
        for s, e in blocks:
            for i in range(max(s, start), min(e, end)):
                expected[i - start] = ord("a") if lower else ord("N")
        assert buf == expected


def test_apply_runs_rejects_short_tables():
    with pytest.raises(ValueError):
        codec.apply_runs(bytearray(4), 0, b"\0" * 8, 2, False, False)


# --- .2bit reader core: decode through a real file ------------------------------------------


def test_decode_random_regions(tmp_path):
    from trackpack import TwoBitFile, write_twobit

    rng = random.Random(5)
    records = []
    for i in range(12):
        text = kent_fa_filter(run_text(rng, rng.randrange(1, 3000))) or b"A"
        records.append((f"s{i}", text.decode()))
    for byte_order in ("little", "big"):
        path = tmp_path / f"r_{byte_order}.2bit"
        write_twobit(records, path, byte_order=byte_order)
        with TwoBitFile(path) as tb:
            for name, text in records:
                packed, n_blocks, mask_blocks = ref_pack(kent_prepare(text.encode(), True), True)
                size = len(text)
                for _ in range(40):
                    start = rng.randrange(size + 1)
                    end = rng.randrange(start, size + 1)
                    for mask in (True, False):
                        expected = ref_decode(packed, start, end, n_blocks, mask_blocks, mask)
                        assert tb.fetch(name, start, end, mask) == expected
                codes = tb.fetch_array([(name, 0, size)])[0]
                expected = ref_decode(packed, 0, size, n_blocks, [], False)
                assert codes.tolist() == ["ACGTN".index(c) for c in expected]


# --- index parsing -------------------------------------------------------------------------


def test_parse_index_matches_struct():
    rng = random.Random(3)
    for offset_size in (4, 8):
        for swap in (False, True):
            order = "<" if (sys.byteorder == "little") != swap else ">"
            entries = [("n%d" % i * rng.randrange(1, 5), rng.randrange(16, 1000)) for i in range(50)]
            raw = b"".join(
                bytes([len(n)]) + n.encode() + struct.pack(order + ("Q" if offset_size == 8 else "I"), off)
                for n, off in entries
            )
            names, offsets = [], array("Q")
            parsed, used, error = codec.parse_index(raw, 50, offset_size, swap, 10_000, names, offsets)
            assert (parsed, used, error) == (50, len(raw), None)
            assert list(zip(names, offsets)) == entries
            # truncated buffers parse whole entries only
            cut = rng.randrange(len(raw))
            names, offsets = [], array("Q")
            parsed, used, _ = codec.parse_index(raw[:cut], 50, offset_size, swap, 10_000, names, offsets)
            assert used <= cut and list(zip(names, offsets)) == entries[:parsed]
            # an offset past the end of the file is reported, not followed
            names, offsets = [], array("Q")
            parsed, used, error = codec.parse_index(raw, 50, offset_size, swap, 500, names, offsets)
            assert error is not None and parsed < 50


# --- .nib -------------------------------------------------------------------------------------


@pytest.mark.parametrize("mask", [True, False])
@pytest.mark.parametrize("hard_mask", [True, False])
def test_nib_packer_matches_kent(mask, hard_mask):
    for fasta in (True, False):
        table = nib_table(mask, hard_mask, fasta)
        for rng, text in random_inputs(20 + mask + 2 * hard_mask, 200):
            seq = kent_fa_filter(text) if fasta else text
            packer = codec.NibPacker(table)
            cut = rng.randrange(len(text) + 1)
            packer.feed(text[:cut])
            packer.feed(text[cut:])
            assert packer.packed() == ref_nib_pack(seq, mask, hard_mask)
            assert packer.size == len(seq)


def test_nib_unpack_any_offset():
    rng = random.Random(9)
    for _ in range(400):
        data = bytes(rng.choice([0, 1, 2, 3, 4, 8, 9, 10, 11, 12, 5, 13]) << 4 | rng.choice([0, 1, 2, 3, 4, 8, 12, 7])
                     for _ in range(rng.randrange(1, 30)))
        total = 2 * len(data)
        start = rng.randrange(total + 1)
        n = rng.randrange(total - start + 1)
        for mask in (True, False):
            got_text, got_bad = codec.unpack_nib(data, start, n, mask)
            exp_text, exp_bad = ref_nib_unpack(data, start, n, mask)
            assert got_bad == exp_bad
            if exp_bad < 0:
                assert got_text == exp_text
    with pytest.raises(ValueError):
        codec.unpack_nib(b"\x00", 1, 2, True)


# --- FASTA text ----------------------------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300))
def test_keep_bytes_and_count_newlines(data):
    assert codec.keep_bytes(data, _KEEP) == bytes(b for b in data if _KEEP[b])
    assert codec.count_newlines(data) == data.count(b"\n")


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300), st.integers(1, 70))
def test_wrap_lines(data, width):
    expected = b"".join(data[i:i + width] + b"\n" for i in range(0, len(data), width))
    assert codec.wrap_lines(data, width) == expected


@settings(max_examples=200, deadline=None)
@given(st.text(st.characters(max_codepoint=0xFF), max_size=300), st.integers(1, 70))
def test_wrap_lines_of_str(text, width):
    """A str is read in place (its one-byte-per-character storage): ASCII only."""
    if text.isascii():
        expected = b"".join(text[i:i + width].encode() + b"\n" for i in range(0, len(text), width))
        assert codec.wrap_lines(text, width) == expected
    else:
        with pytest.raises(ValueError, match="ASCII"):
            codec.wrap_lines(text, width)


def test_wrap_lines_rejects_bad_width():
    with pytest.raises(ValueError):
        codec.wrap_lines(b"ACGT", 0)


def test_decode_with_long_block_tables(tmp_path):
    """Thousands of N and mask blocks: the sampled block search (SAMPLE_MIN) is used."""
    from trackpack import TwoBitFile, write_twobit

    rng = random.Random(8)
    text = "".join(rng.choice(["ACG", "acg", "NN", "nn", "T", "t"]) for _ in range(6000))
    packed, n_blocks, mask_blocks = ref_pack(text, True)
    assert len(n_blocks) > 1000 and len(mask_blocks) > 1000
    for byte_order in ("little", "big"):
        path = tmp_path / f"many_{byte_order}.2bit"
        write_twobit([("s", text)], path, byte_order=byte_order)
        with open(path, "rb") as f:
            # a path and an open file are memory-mapped; a BufferedReader over BytesIO is not
            sources = [path, f, io.BufferedReader(io.BytesIO(path.read_bytes()))]
            for source in sources:
                with TwoBitFile(source) as tb:
                    assert tb.n_blocks("s") == n_blocks and tb.mask_blocks("s") == mask_blocks
                    for _ in range(100):
                        start = rng.randrange(len(text) + 1)
                        end = rng.randrange(start, min(len(text), start + 200) + 1)
                        assert tb.fetch("s", start, end) == ref_decode(packed, start, end, n_blocks, mask_blocks, True)
