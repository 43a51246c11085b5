"""trackpack.nib: NibFile and write_nib, against kent's rules and the corpus."""
from __future__ import annotations

import io
import random
import struct

import pytest

import common
from trackpack import (
    ArgumentError,
    ClosedFileError,
    FormatError,
    NibFile,
    OutOfRangeError,
    write_nib,
)
from seq_fixtures import CountingStream, Unmappable, run_in_threads
from trackpack.fasta import read_fasta

NIB_ROWS = [row for row in common.manifest() if row["format"] == "nib"]


def masked(seq: str) -> str:
    """What a soft-masked .nib gives back: ACGT keep case, everything else is N/n."""
    seq = seq.replace("U", "T").replace("u", "t")
    return "".join(c if c.upper() in "ACGT" else ("n" if c.islower() else "N") for c in seq)


@pytest.mark.parametrize("byte_order", ["little", "big"])
def test_round_trip(tmp_path, byte_order):
    rng = random.Random(1)
    seq = "".join(rng.choice("ACGTacgtNnRu") for _ in range(1001))
    path = tmp_path / "chrZ.nib"
    summary = write_nib([("chrZ", seq)], path, byte_order=byte_order)
    assert summary.bases == 1001 and summary.bytes == 8 + 501 == path.stat().st_size
    with NibFile(path) as nib:
        assert nib.name == "chrZ" and nib.size == len(nib) == 1001 and nib.byte_order == byte_order
        assert nib.sizes == {"chrZ": 1001}
        assert nib.fetch() == masked(seq) == str(nib)
        assert nib.fetch(mask=False) == masked(seq).upper()
        for _ in range(200):
            start = rng.randrange(1002)
            end = rng.randrange(start, 1002)
            assert nib.fetch(start, end) == masked(seq)[start:end]
        assert nib[10:20] == masked(seq)[10:20] and nib[-1] == masked(seq)[-1] and nib[::3] == masked(seq)[::3]


def test_blocks(tmp_path):
    path = tmp_path / "b.nib"
    write_nib([("b", "ACnnNNacgtNA")], path)
    with NibFile(path) as nib:
        assert nib.n_blocks() == [(2, 6), (10, 11)]
        assert nib.mask_blocks() == [(2, 4), (6, 10)]


def test_write_options_follow_faToNib(tmp_path):
    path = tmp_path / "o.nib"
    write_nib([("o", "ACgtN")], path, mask=False)
    assert NibFile(path).fetch() == "ACGTN"
    write_nib([("o", "ACgtN")], path, hard_mask=True, mask=False)
    assert NibFile(path).fetch() == "ACNNN"
    write_nib([("o", "ACgtN")], path, hard_mask=True, mask=True)  # kent: every base masked
    assert NibFile(path).fetch() == "acnnn"


def test_fasta_input(tmp_path):
    fa = tmp_path / "one.fa"
    fa.write_bytes(b">one desc\nAC GT\r\nnn\n")
    out = tmp_path / "one.nib"
    assert write_nib(fa, out).name == "one"
    assert NibFile(out).fetch() == "ACGTnn"
    fa.write_bytes(b">a\nAC\n>b\nGT\n")
    with pytest.raises(FormatError) as err:
        write_nib(fa, out)
    assert err.value.line == 3
    with pytest.raises(ArgumentError):
        write_nib([("a", "A"), ("b", "C")], out)
    with pytest.raises(ArgumentError):
        write_nib([], out)
    with pytest.raises(ArgumentError):
        write_nib([("a", "A")], out, byte_order="pdp")


def test_errors(tmp_path):
    path = tmp_path / "e.nib"
    write_nib([("e", "ACGT")], path)
    with NibFile(path) as nib:
        for start, end in [(-1, 2), (0, 5), (3, 2)]:
            with pytest.raises(OutOfRangeError):
                nib.fetch(start, end)
        with pytest.raises(IndexError):
            nib[4]
        with pytest.raises(ArgumentError):
            nib.fetch(0.5, 2)
        with pytest.raises(ArgumentError):
            nib[1.5]
    with pytest.raises(ClosedFileError):
        nib.fetch()
    for data in (b"", b"\x3a\x3d\xe9", b"\0" * 16):
        with pytest.raises(FormatError, match="not a .nib") as err:
            NibFile(io.BytesIO(data))
        assert err.value.offset == 0
    truncated = struct.pack("<II", 0x6BE93D3A, 100) + b"\0" * 10
    with pytest.raises(FormatError, match="truncated"):
        NibFile(io.BytesIO(truncated))
    bad_code = struct.pack("<II", 0x6BE93D3A, 4) + bytes([0x05, 0x11])
    with pytest.raises(FormatError, match="invalid base code 5 at base 1") as err:
        NibFile(io.BytesIO(bad_code)).fetch()
    assert err.value.offset == 8


def test_region_reads_touch_only_their_bytes(tmp_path):
    path = tmp_path / "big.nib"
    write_nib([("big", "ACGTacgtNn" * 100_000)], path)  # 1 Mb, 500 kB of nibbles
    stream = CountingStream(path.read_bytes())
    with NibFile(stream, name="big") as nib:
        opened = stream.bytes_read
        assert nib.fetch(700_001, 700_011) == "CGTacgtNnA"
        assert opened <= 64 and stream.bytes_read - opened == 6


def test_threads_share_one_reader(tmp_path):
    rng = random.Random(6)
    seq = "".join(rng.choice("ACGTacgtNn") for _ in range(50_001))
    path = tmp_path / "t.nib"
    write_nib([("t", seq)], path)
    expected = masked(seq)
    errors = []
    for source in (path, Unmappable(path.read_bytes())):
        with NibFile(source, name="t") as nib:

            def work(seed):
                r = random.Random(seed)
                for _ in range(300):
                    start = r.randrange(len(seq))
                    end = r.randrange(start, len(seq) + 1)
                    if nib.fetch(start, end) != expected[start:end]:
                        errors.append((start, end))

            run_in_threads(work)
    assert errors == []


def test_sequences_longer_than_the_format_are_refused(tmp_path, monkeypatch):
    from trackpack import _kernels

    monkeypatch.setattr(_kernels.load("seqcodec"), "MAX_BASES", 10)
    fa = tmp_path / "long.fa"
    fa.write_bytes(b"\n>long one\nACGTACGT\nACGTACGT\n")
    out = tmp_path / "long.nib"
    with pytest.raises(FormatError, match="sequence 'long' has more than 10 bases") as err:
        write_nib(fa, out)
    assert err.value.line == 2 and not out.exists()
    with pytest.raises(ArgumentError, match="more than 10 bases"):
        write_nib([("b", "A" * 11)], out)
    with pytest.raises(ArgumentError, match="must be str or bytes"):
        write_nib([("b", 11)], out)


def test_every_truncation_is_a_format_error(tmp_path):
    path = tmp_path / "t.nib"
    write_nib([("t", "ACGTNacgtn" * 3)], path)
    data = path.read_bytes()
    for cut in range(len(data)):
        with pytest.raises(FormatError):
            NibFile(io.BytesIO(data[:cut])).fetch()


@pytest.mark.parametrize("row", NIB_ROWS, ids=[r["path"] for r in NIB_ROWS])
def test_corpus_reads_like_kent(row, tmp_path):
    path = common.corpus(row["path"])
    with NibFile(path) as nib:
        assert nib.byte_order == row["byteorder"]
        seq = nib.fetch()
        # kent's nibFrag -masked output is the oracle; its header names the file and range
        oracle = common.corpus("_kent_oracle/" + row["path"] + ".nibFrag.fa")
        (name, expected), = read_fasta(oracle)
        assert seq == expected and name == f"{row['path']}:0-{nib.size}"
        (_, companion), = read_fasta(common.corpus(row["companions"]))
        assert seq.upper() == masked(companion).upper()
    # faToNib -softMask on the companion gives the corpus file's bytes
    out = tmp_path / "out.nib"
    write_nib(common.corpus(row["companions"]), out, byte_order=row["byteorder"], mask=True)
    common.assert_same_bytes(out.read_bytes(), path.read_bytes(), row["path"])
