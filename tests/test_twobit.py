"""trackpack.twobit: TwoBitFile (reading) and write_twobit (writing)."""
from __future__ import annotations

import gzip
import io
import logging
import random
import struct
import threading

import numpy as np
import pytest

from seq_fixtures import CountingStream, Unmappable, run_in_threads
from trackpack import (
    ArgumentError,
    ClosedFileError,
    FormatError,
    NotFoundError,
    OutOfRangeError,
    TwoBitFile,
    UsageError,
    write_twobit,
)
from trackpack.twobit import _index, packing_table

RECORDS = [
    ("chr1", "ACGTNNNNacgtnnACTGTT" * 10 + "ACG"),
    ("chr2", "NNNNNNNNNN"),
    ("chrM", "acgtACGTacgt"),
    ("one", "G"),
]


def reference(seq: str, mask: bool = True) -> str:
    """What a .2bit gives back for a sequence written from ``seq`` (kent's rules)."""
    out = []
    for c in seq:
        base = {"U": "T", "-": "T"}.get(c.upper(), c.upper())
        if base not in "ACGT":
            base = "N"
        out.append(base.lower() if (mask and c.islower()) else base)
    return "".join(out)


@pytest.fixture
def twobit(tmp_path):
    path = tmp_path / "t.2bit"
    write_twobit(RECORDS, path)
    return path


# --- reading ---------------------------------------------------------------------------------


def test_sizes_names_and_mapping(twobit):
    with TwoBitFile(twobit) as tb:
        assert tb.sizes == {name: len(seq) for name, seq in RECORDS}
        assert list(tb) == list(tb.keys()) == [name for name, _ in RECORDS]
        assert len(tb) == 4 and "chr2" in tb and "nope" not in tb
        assert tb.version == 0 and tb.byte_order == "little"
        record = tb["chr1"]
        assert len(record) == 203 and record.name == "chr1"
        assert record[4:12] == "NNNNacgt" and record[-3:] == "ACG" and record[0] == "A"
        assert record[np.int64(1)] == "C"
        with pytest.raises(ArgumentError):
            record[1.5]
        assert record[::7] == reference(RECORDS[0][1])[::7]
        assert record[10:2:-2] == reference(RECORDS[0][1])[10:2:-2]
        assert str(tb["chrM"]) == "acgtACGTacgt"
        assert tb.get("nope") is None
        assert "chr1" in repr(record) and "4 sequences" in repr(tb)


def test_fetch_regions_and_masks(twobit):
    with TwoBitFile(twobit) as tb:
        for name, seq in RECORDS:
            assert tb.fetch(name) == reference(seq)
            assert tb.fetch(name, mask=False) == reference(seq, mask=False)
            for start in range(len(seq)):
                assert tb.fetch(name, start, min(len(seq), start + 7)) == reference(seq)[start:start + 7]
        assert tb.fetch("chr1", 5, 5) == ""


def test_blocks(twobit):
    with TwoBitFile(twobit) as tb:
        assert tb.n_blocks("chr2") == [(0, 10)]
        assert tb.mask_blocks("chr2") == []
        assert tb.n_blocks("chr1")[:2] == [(4, 8), (12, 14)]
        assert tb.mask_blocks("chr1")[:2] == [(8, 14), (28, 34)]
        assert tb["chrM"].mask_blocks() == [(0, 4), (8, 12)]
        assert tb["chrM"].n_blocks() == []


def test_block_tables_as_arrays_text_and_totals(tmp_path):
    """block_arrays, blocks_bed, block_count and block_bases agree with n_blocks and
    mask_blocks, in both byte orders, mapped or read through a stream."""
    rng = random.Random(21)
    text = "".join(rng.choice(["ACG", "acg", "NN", "nn", "T", "t", "N"]) for _ in range(3000))
    records = [("s1", text), ("plain", "ACGT" * 10), ("name with \u00e9", "aNa")]
    for byte_order in ("little", "big"):
        path = tmp_path / f"blocks_{byte_order}.2bit"
        write_twobit(records, path, byte_order=byte_order)
        for source in (path, io.BytesIO(path.read_bytes()), Unmappable(path.read_bytes())):
            with TwoBitFile(source) as tb:
                for name, _ in records:
                    for mask in (False, True):
                        pairs = tb.mask_blocks(name) if mask else tb.n_blocks(name)
                        starts, ends = tb.block_arrays(name, mask)
                        assert starts.dtype == np.int64 and list(zip(starts.tolist(), ends.tolist())) == pairs
                        assert tb.block_count(name, mask) == len(pairs)
                        assert tb.block_bases(name, mask) == sum(e - s for s, e in pairs)
                        bed = "".join(f"{name}\t{s}\t{e}\n" for s, e in pairs).encode()
                        for lines in (1, 7, 1 << 18):
                            pieces = list(tb.blocks_bed(name, mask, lines_per_piece=lines))
                            assert b"".join(pieces) == bed
                            assert all(piece.count(b"\n") == lines for piece in pieces[:-1])
        with TwoBitFile(path) as tb:
            assert tb.block_count("s1") > 500 and tb.block_count("s1", True) > 500
            with pytest.raises(NotFoundError):
                tb.blocks_bed("nope")  # at the call, not at the first piece
            with pytest.raises(ArgumentError):
                tb.blocks_bed("s1", lines_per_piece=0)


def test_errors_name_what_and_where(twobit):
    with TwoBitFile(twobit) as tb:
        with pytest.raises(NotFoundError, match="chrX") as err:
            tb.fetch("chrX")
        assert err.value.path == str(twobit)
        with pytest.raises(KeyError):
            tb["chrX"]
        for start, end in [(-1, 4), (0, 204), (10, 5)]:
            with pytest.raises(OutOfRangeError):
                tb.fetch("chr1", start, end)
        with pytest.raises(IndexError):
            tb["one"][1]
        with pytest.raises(TypeError):
            tb.fetch("chr1", "a")
    with pytest.raises(ClosedFileError):
        tb.fetch("chr1")


def test_file_objects_and_buffers(twobit):
    data = twobit.read_bytes()
    expected = {name: reference(seq) for name, seq in RECORDS}
    with open(twobit, "rb") as f:
        sources = [io.BytesIO(data), f, Unmappable(data), str(twobit)]
        for source in sources:
            with TwoBitFile(source) as tb:
                assert {n: tb.fetch(n) for n in tb} == expected
                assert tb.n_blocks("chr1")[0] == (4, 8)


def test_region_reads_touch_only_their_bytes(tmp_path):
    """Opening reads the header and index; a region reads its record's block tables once,
    then only the packed bytes holding its bases."""
    path = tmp_path / "big.2bit"
    seq = ("ACGT" * 5000 + "acgt" * 5000 + "N" * 100) * 25  # 1 Mb, 75 N and mask blocks
    write_twobit([("a", "ACGT"), ("big", seq), ("z", "T")], path)
    stream = CountingStream(path.read_bytes())
    with TwoBitFile(stream) as tb:
        opened = stream.bytes_read
        assert opened <= 16 + 4096 and tb.fetch("big", 0, 1) == "A"  # header, first index chunk
        tables = stream.bytes_read - opened
        for start in (700_001, 12_345, len(seq) - 10):
            before = stream.bytes_read
            assert tb.fetch("big", start, start + 10) == reference(seq[start:start + 10])
            assert stream.bytes_read - before <= 4  # 10 bases span at most 4 packed bytes
    assert tables < 1024  # the record header and its two block tables


def test_long_index_read_in_pieces(tmp_path):
    """An index of thousands of names (up to 255 bytes) read from a stream in chunks whose
    ends fall inside entries: the same names and sizes as through the memory map."""
    rng = random.Random(12)
    records = [(f"s{i}_" + "x" * rng.randrange(0, 250), "ACGT"[: 1 + i % 4]) for i in range(3000)]
    path = tmp_path / "many.2bit"
    for version in (0, 1):
        write_twobit(records, path, version=version)
        with TwoBitFile(path) as mapped, TwoBitFile(Unmappable(path.read_bytes())) as streamed:
            assert list(streamed.sizes.items()) == list(mapped.sizes.items()) == [(n, len(s)) for n, s in records]
            assert streamed.fetch(records[-1][0]) == records[-1][1]


def test_batch_fetch(twobit):
    with TwoBitFile(twobit) as tb:
        regions = [("chr1", 0, 10), ("chrM", 2, 6), ("chr2", 0, None), ("one", 1, 1)]
        assert tb.fetch_many(regions) == ["ACGTNNNNac", "gtAC", "NNNNNNNNNN", ""]
        assert tb.fetch_many(regions, mask=False)[1] == "GTAC"
        with pytest.raises(NotFoundError):
            tb.fetch_many([("chr1", 0, 1), ("zz", 0, 1)])


def test_batch_argument_errors(twobit):
    with TwoBitFile(twobit) as tb:
        for call in (tb.fetch_many, tb.fetch_array):
            with pytest.raises(ArgumentError, match=r"region 2: expected a \(name, start, end\) triple"):
                call([("chr1", 0, 1), ("chr1", 0)])
        # an inverted region is an OutOfRangeError naming it, before any array is made
        with pytest.raises(OutOfRangeError, match="chr1:5-3"):
            tb.fetch_array([("chr1", 5, 3)])
        with pytest.raises(OutOfRangeError):
            tb.fetch_array([("chr1", 5, 3)], length=4)
        with pytest.raises(ArgumentError, match="length must be an integer"):
            tb.fetch_array([("chr1", 0, 2)], length=2.5)
        with pytest.raises(ArgumentError, match="must not be negative"):
            tb.fetch_array([("chr1", 0, 2)], length=-1)
    with pytest.raises(ClosedFileError):
        tb.fetch_array([("chr1", 0, 2)])
    with pytest.raises(ClosedFileError):
        tb.fetch_many([("chr1", 0, 2)])


def test_region_checks_without_reading(twobit):
    with TwoBitFile(twobit) as tb:
        assert tb.region("chr1") == (0, 203)
        assert tb.region("chr1", np.int32(3), None) == (3, 203)
        with pytest.raises(OutOfRangeError, match="chr1:-1-5"):
            tb.region("chr1", -1, 5)
        with pytest.raises(NotFoundError):
            tb.region("chrX")


def test_fetch_array_codes_and_one_hot(twobit):
    with TwoBitFile(twobit) as tb:
        codes = tb.fetch_array([("chr1", 0, 8), ("chrM", 0, 8)])
        assert codes.dtype == np.uint8 and codes.shape == (2, 8)
        assert codes.tolist() == [[0, 1, 2, 3, 4, 4, 4, 4], [0, 1, 2, 3, 0, 1, 2, 3]]
        padded = tb.fetch_array([("one", 0, None), ("chrM", 0, 3)], length=5)
        assert padded.tolist() == [[2, 4, 4, 4, 4], [0, 1, 2, 4, 4]]
        hot = tb.fetch_array([("chr1", 2, 6)], one_hot=True)
        assert hot.shape == (1, 4, 4)
        assert hot[0].tolist() == [[0, 0, 1, 0], [0, 0, 0, 1], [0, 0, 0, 0], [0, 0, 0, 0]]
        assert tb.fetch_array([]).shape == (0, 0)
        with pytest.raises(UsageError, match="different lengths"):
            tb.fetch_array([("chr1", 0, 3), ("chr1", 0, 4)])
        with pytest.raises(UsageError):
            tb.fetch_array([("chr1", 0, 10)], length=5)
        with pytest.raises(OutOfRangeError):
            tb.fetch_array([("chr1", 0, 1000)], length=5000)


def test_threads_share_one_reader(tmp_path):
    rng = random.Random(4)
    records = [
        (f"c{i}", "".join(rng.choice("ACGTacgtNn") for _ in range(rng.randrange(100, 200000)))) for i in range(6)
    ]
    path = tmp_path / "big.2bit"
    write_twobit(records, path)
    expected = {name: reference(seq) for name, seq in records}
    errors = []
    # a path is memory-mapped; an unmappable stream is read under RandomAccess's lock
    for source in (path, Unmappable(path.read_bytes())):
        _fetch_from_threads(TwoBitFile(source), records, expected, errors)
    assert errors == []


def _fetch_from_threads(tb, records, expected, errors):
    with tb:

        def work(seed):
            r = random.Random(seed)
            try:
                for _ in range(300):
                    name, _ = r.choice(records)
                    start = r.randrange(len(expected[name]))
                    end = r.randrange(start, len(expected[name]) + 1)
                    if tb.fetch(name, start, end) != expected[name][start:end]:
                        errors.append((name, start, end))
            except Exception as err:  # pragma: no cover - reported below
                errors.append(err)

        run_in_threads(work)


def test_close_while_other_threads_read(tmp_path):
    """Closing a shared reader mid-use: readers get ClosedFileError or whole results."""
    seq = "ACGTacgtNN" * 100_000
    path = tmp_path / "c.2bit"
    write_twobit([("c", seq)], path)
    expected = reference(seq)
    tb = TwoBitFile(path)
    started = threading.Barrier(5)
    outcomes = []

    def work():
        started.wait()
        try:
            for _ in range(50):
                outcomes.append(tb.fetch("c") == expected)
        except ClosedFileError:
            outcomes.append("closed")

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    started.wait()
    tb.close()
    for t in threads:
        t.join()
    assert outcomes and False not in outcomes


def test_close_is_idempotent_and_safe(twobit):
    tb = TwoBitFile(twobit)
    tb.close()
    tb.close()
    assert tb.closed
    with pytest.raises(ClosedFileError):
        tb.sizes  # noqa: B018 - property access reads the file
    assert "closed" in repr(tb)


# --- writing ---------------------------------------------------------------------------------


@pytest.mark.parametrize("byte_order", ["little", "big"])
@pytest.mark.parametrize("version", [None, 0, 1])
@pytest.mark.parametrize("mask", [True, False])
def test_round_trip(tmp_path, byte_order, version, mask):
    path = tmp_path / "rt.2bit"
    summary = write_twobit(RECORDS, path, byte_order=byte_order, version=version, mask=mask)
    assert summary.sequences == 4 and summary.bases == sum(len(s) for _, s in RECORDS)
    assert summary.version == (version or 0) and summary.bytes == path.stat().st_size
    with TwoBitFile(path) as tb:
        assert tb.byte_order == byte_order and tb.version == (version or 0)
        for name, seq in RECORDS:
            assert tb.fetch(name) == reference(seq, mask)


def test_kent_rules_for_odd_characters(tmp_path):
    path = tmp_path / "odd.2bit"
    write_twobit([("x", "ACGTUu-RYnNxX")], path)
    assert TwoBitFile(path).fetch("x") == "ACGTTtTNNnNnN"
    write_twobit([("x", "ACGTUu-RYnNxX")], path, mask=False)
    assert TwoBitFile(path).fetch("x") == "ACGTTTNNNNNNN"


def test_from_fasta_paths_gzip_lists_and_file_objects(tmp_path):
    fa1 = tmp_path / "a.fa"
    fa1.write_bytes(b">a desc\nACGT\nnnAC\n>b\nGG\n")
    fa2 = tmp_path / "b.fa.gz"
    fa2.write_bytes(gzip.compress(b">c\nTTTT\n"))
    out = tmp_path / "o.2bit"
    write_twobit([fa1, fa2], out)
    with TwoBitFile(out) as tb:
        assert tb.sizes == {"a": 8, "b": 2, "c": 4}
        assert tb.fetch("a") == "ACGTnnAC"
    with open(fa1, "rb") as f:
        write_twobit(f, out)
    assert TwoBitFile(out).sizes == {"a": 8, "b": 2}
    write_twobit(str(fa1), out)
    assert TwoBitFile(out).sizes == {"a": 8, "b": 2}


def test_every_fasta_shape_gives_the_same_file(tmp_path, monkeypatch):
    """Line widths, CRLF, no wrapping, many short records, gzip and stdin: one result,
    the same bytes as the (name, sequence) pairs give."""
    rng = random.Random(31)
    pieces = ["ACGT", "acgt", "NNNN", "RYkm", "aC"]
    records = [(f"r{i}", "".join(rng.choice(pieces) for _ in range(rng.randrange(1, 2500)))) for i in range(300)]
    expected_path = tmp_path / "pairs.2bit"
    write_twobit(records, expected_path)
    expected = expected_path.read_bytes()

    def fasta(width, newline=b"\n"):
        out = []
        for name, seq in records:
            out.append(b">" + name.encode() + b" some description" + newline)
            step = width or len(seq)
            out += [seq[i:i + step].encode() + newline for i in range(0, len(seq), step)]
        return b"".join(out)

    shapes = {f"w{w}": fasta(w) for w in (50, 60, 61, 80, 1000, None)}
    shapes["crlf"] = fasta(60, b"\r\n")
    shapes["blank lines"] = b"\n\n" + fasta(70).replace(b"\n>", b"\n\n>")
    out = tmp_path / "out.2bit"
    for shape, text in shapes.items():
        fa = tmp_path / "in.fa"
        fa.write_bytes(text)
        write_twobit(fa, out)
        assert out.read_bytes() == expected, shape
    gz = tmp_path / "in.fa.gz"
    gz.write_bytes(gzip.compress(shapes["w60"]))
    write_twobit(gz, out)
    assert out.read_bytes() == expected
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(shapes["crlf"])))
    write_twobit("stdin", out)
    assert out.read_bytes() == expected
    write_twobit(io.StringIO(shapes["w50"].decode()), out)
    assert out.read_bytes() == expected


def test_bytes_sequences_and_generators(tmp_path):
    out = tmp_path / "g.2bit"
    write_twobit(((f"s{i}", b"ACGT" * i) for i in range(1, 4)), out)
    assert TwoBitFile(out).sizes == {"s1": 4, "s2": 8, "s3": 12}


def test_strip_version_and_duplicates(tmp_path):
    fa = tmp_path / "d.fa"
    fa.write_bytes(b">NM_1.1\nAC\n>NM_2.4\nGG\n>NM_1.2\nTT\n")
    out = tmp_path / "d.2bit"
    with pytest.raises(FormatError) as err:
        write_twobit(fa, out, strip_version=True)
    assert err.value.line == 5 and "first seen at" in str(err.value) and f"{fa}:1" in str(err.value)
    assert not out.exists()
    write_twobit(fa, out, strip_version=True, ignore_dups=True)
    assert TwoBitFile(out).sizes == {"NM_1": 2, "NM_2": 2}
    write_twobit(fa, out)
    assert list(TwoBitFile(out)) == ["NM_1.1", "NM_2.4", "NM_1.2"]
    # repeated names in (name, sequence) pairs are bad data too: a FormatError (a
    # ValueError, not a TypeError) naming both records
    with pytest.raises(ValueError, match=r"record 3: duplicate sequence name 'a' \(first seen at record 1\)") as err:
        write_twobit([("a", "A"), ("b", "G"), ("a", "C")], out)
    assert isinstance(err.value, FormatError) and not isinstance(err.value, TypeError)
    summary = write_twobit([("a", "A"), ("b", "G"), ("a", "C")], out, ignore_dups=True)
    assert summary.sequences == 2 and TwoBitFile(out).fetch("a") == "A"


def test_empty_sequences_are_skipped_with_kents_warning(tmp_path, caplog):
    fa = tmp_path / "e.fa"
    fa.write_bytes(b">empty\n\n>full\nACGT\n")
    out = tmp_path / "e.2bit"
    with caplog.at_level(logging.WARNING, logger="trackpack"):
        summary = write_twobit(fa, out)
    assert summary.sequences == 1
    assert [r.getMessage() for r in caplog.records] == [
        "Invalid fasta format: sequence size == 0 for element empty",
        "Skipping item empty which has no sequence.\n",
    ]


def test_no_sequences_gives_an_empty_file(tmp_path):
    out = tmp_path / "none.2bit"
    write_twobit([], out)
    assert out.read_bytes() == struct.pack("<IIII", 0x1A412743, 0, 0, 0)
    with TwoBitFile(out) as tb:
        assert tb.sizes == {} and list(tb) == []


def test_bad_arguments(tmp_path):
    out = tmp_path / "x.2bit"
    with pytest.raises(ArgumentError):
        write_twobit([("a", "A")], out, version=2)
    with pytest.raises(ArgumentError):
        write_twobit([("a", "A")], out, byte_order="middle")
    with pytest.raises(ArgumentError):
        write_twobit([("a", 5)], out)
    with pytest.raises(ArgumentError):
        write_twobit([("ACGT",)], out)
    with pytest.raises(FileNotFoundError):
        write_twobit(["ACGT"], out)  # a list of str is a list of FASTA paths
    with pytest.raises(ArgumentError, match="255"):
        write_twobit([("n" * 256, "A")], out)
    fa = tmp_path / "long.fa"
    fa.write_bytes(b">" + b"n" * 300 + b"\nAC\n")
    with pytest.raises(FormatError) as err:
        write_twobit(fa, out)
    assert err.value.line == 1
    assert not out.exists()


def test_failed_write_leaves_nothing_behind(tmp_path):
    out = tmp_path / "fail.2bit"
    out.write_bytes(b"previous")

    def records():
        yield "a", "ACGT"
        raise RuntimeError("source failed")

    with pytest.raises(RuntimeError):
        write_twobit(records(), out)
    assert out.read_bytes() == b"previous"
    assert [p.name for p in tmp_path.iterdir()] == ["fail.2bit"]


def _offsets(index: bytes, version: int):
    """Record offsets of a little-endian header + index."""
    count = struct.unpack_from("<I", index, 8)[0]
    pos, out = 16, []
    for _ in range(count):
        pos += 1 + index[pos]
        out.append(struct.unpack_from("<Q" if version else "<I", index, pos)[0])
        pos += 8 if version else 4
    assert pos == len(index)
    return out


def test_version_choice():
    from array import array

    names = [b"a", b"b"]
    # header 16 bytes, then per name: size byte, name, 4-byte (version 0) or 8-byte offset

    def choose(sizes, version):
        chosen, index = _index(names, array("Q", sizes), version, "<")
        assert index[:12] == struct.pack("<III", 0x1A412743, chosen, 2)
        return chosen, _offsets(index, chosen)

    assert choose([10, 10], None) == (0, [28, 38])
    big = [0xFFFFFFFF - 27, 10]
    # the second record would start at 2^32 with 32-bit offsets
    assert choose(big, None) == (1, [36, 36 + big[0]])
    assert choose([0xFFFFFFFF - 28, 10], None)[0] == 0
    with pytest.raises(UsageError, match="-long"):
        choose(big, 0)
    assert choose([1, 1], 1) == (1, [36, 37])
    # the last record may extend past 4 GiB: only offsets must fit
    assert choose([10, 0xFFFFFFFF], None)[0] == 0
    chosen, index = _index(names, array("Q", [3, 4]), 1, ">")
    assert struct.unpack_from(">Q", index, 16 + 2) == (36,) and index[:4] == b"\x1a\x41\x27\x43"


def test_packing_table_is_kents():
    table = packing_table(True, True)
    assert table[ord("A")] == 2 and table[ord("t")] == 0 | 8 and table[ord("N")] == 4
    assert table[ord("n")] == 4 | 8 and table[ord("-")] == 0 and table[ord("\n")] == 16
    assert packing_table(True, False)[ord("\n")] == 4
    assert packing_table(False, True)[ord("a")] == 2 and packing_table(False, True)[ord("-")] == 4


def test_fetch_chunks(twobit):
    with TwoBitFile(twobit) as tb:
        whole = tb.fetch("chr1")
        for size in (1, 7, 50, 1000):
            pieces = list(tb.fetch_chunks("chr1", chunk_size=size))
            assert "".join(pieces) == whole and all(len(p) == size for p in pieces[:-1])
        assert "".join(tb.fetch_chunks("chr1", 5, 57, mask=False, chunk_size=10)) == whole[5:57].upper()
        assert list(tb.fetch_chunks("chr1", 5, 5)) == []
        # checked by the call, not when the first piece is read
        with pytest.raises(OutOfRangeError):
            tb.fetch_chunks("chr1", 0, 10_000)
        with pytest.raises(NotFoundError):
            tb.fetch_chunks("chrX")
        with pytest.raises(ArgumentError):
            tb.fetch_chunks("chr1", chunk_size=0)


def test_coordinates_must_be_integers(twobit):
    with TwoBitFile(twobit) as tb:
        assert tb.fetch("chr1", np.int64(2), np.uint32(5)) == "GTN"
        for bad in (1.5, "1", None):
            with pytest.raises(ArgumentError, match="start must be an integer"):
                tb.fetch("chr1", bad, 5)
        with pytest.raises(TypeError):  # ArgumentError is a TypeError
            tb.fetch("chr1", 0, 2.0)


# --- memory: the writer holds one sequence, not the genome -----------------------------------

# Run in a fresh interpreter: prints the growth of peak RSS (MB) while writing `records`
# sequences of `bases` bases, first from FASTA text made on the fly, then from pairs.
_MEMORY_PROBE = r"""
import io, resource, sys
from trackpack import write_twobit

out, records, bases = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
runs = b"ACGTGCAT" * 40 + b"acgtgcat" * 37 + b"N" * 8            # soft-masked runs, N gaps
seq = (runs * (bases // len(runs) + 1))[:bases]
body = b"\n".join(seq[i:i + 60] for i in range(0, len(seq), 60)) + b"\n"


class Fasta(io.RawIOBase):
    # `count` records of `seq`, 60 bases per line, produced as they are read
    def __init__(self, count):
        self.count, self.number, self.text, self.pos = count, 0, b">r0 d\n" + body, 0

    def readable(self):
        return True

    def readinto(self, b):
        if self.pos == len(self.text):
            self.number += 1
            if self.number >= self.count:
                return 0
            self.text, self.pos = b">r%d d\n" % self.number + body, 0
        n = min(len(b), len(self.text) - self.pos)
        b[:n] = self.text[self.pos:self.pos + n]
        self.pos += n
        return n


def peak_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


write_twobit(io.BufferedReader(Fasta(2)), out)  # warm up: imports, threads, buffers
write_twobit(((f"r{i}", seq) for i in range(2)), out)
for make in (lambda: io.BufferedReader(Fasta(records)), lambda: ((f"r{i}", seq) for i in range(records))):
    before = peak_mb()
    write_twobit(make(), out)
    print(round(peak_mb() - before, 1))
"""


def test_writer_memory_does_not_grow_with_the_genome(tmp_path):
    """300 sequences of 1 Mb (300 MB of FASTA, 75 MB packed): the writer's peak memory
    grows by its read-ahead chunks and about one sequence, whether the records come as
    FASTA text or as (name, sequence) pairs."""
    import subprocess
    import sys

    records, bases = 300, 1_000_000
    proc = subprocess.run(
        [sys.executable, "-c", _MEMORY_PROBE, str(tmp_path / "m.2bit"), str(records), str(bases)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    growth_fasta, growth_pairs = map(float, proc.stdout.split())
    packed_mb = records * bases / 4 / 1e6
    assert growth_fasta < 40 < packed_mb and growth_pairs < 40, (growth_fasta, growth_pairs)


def test_sequences_longer_than_the_format_are_refused(tmp_path, monkeypatch):
    """The u32 base count: a longer sequence is an error naming the record, never a wrap."""
    from trackpack import _kernels

    monkeypatch.setattr(_kernels.load("seqcodec"), "MAX_BASES", 10)
    fa = tmp_path / "long.fa"
    fa.write_bytes(b">short\nACGT\n>long one\nACGTACGT\nACGTACGT\n")
    out = tmp_path / "long.2bit"
    with pytest.raises(FormatError, match="sequence 'long' has more than 10 bases") as err:
        write_twobit(fa, out)
    assert err.value.line == 3 and not out.exists()
    with pytest.raises(ArgumentError, match=r"record 2 \(b\): more than 10 bases"):
        write_twobit([("a", "ACGT"), ("b", "A" * 11)], out)
