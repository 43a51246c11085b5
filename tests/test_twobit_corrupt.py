"""Corrupt and truncated .2bit files: always a FormatError with a byte offset, never a crash,
a hang or a huge allocation."""
from __future__ import annotations

import io
import random
import struct

import pytest

from seq_fixtures import Unmappable
from trackpack import FormatError, NotFoundError, OutOfRangeError, TwoBitFile, write_twobit

RECORDS = [("chr1", "ACGTNNNNacgtnnACTG" * 6), ("chr2", "nnnnACGT"), ("c3", "a")]


@pytest.fixture(scope="module")
def good(tmp_path_factory):
    path = tmp_path_factory.mktemp("corrupt") / "good.2bit"
    write_twobit(RECORDS, path)
    return path.read_bytes()


def read_everything(source):
    with TwoBitFile(source) as tb:
        for name in tb:
            tb.fetch(name)
            tb.fetch(name, mask=False)
            tb.n_blocks(name)
            tb.mask_blocks(name)
            for mask in (False, True):
                b"".join(tb.blocks_bed(name, mask, lines_per_piece=2))
                tb.block_bases(name, mask)
        return dict(tb.sizes)


def sources(tmp_path, data: bytes):
    path = tmp_path / "bad.2bit"
    path.write_bytes(data)
    return [path, io.BytesIO(data), Unmappable(data)]


def test_every_truncation(tmp_path, good):
    for cut in range(len(good)):
        for source in sources(tmp_path, good[:cut]):
            with pytest.raises(FormatError) as err:
                read_everything(source)
            assert err.value.offset is not None


def test_not_a_twobit_file(tmp_path):
    for data in (b"", b"\0" * 8, b"\0" * 64, b">chr1\nACGT\n" * 4):
        for source in sources(tmp_path, data):
            with pytest.raises(FormatError, match="not a .2bit file") as err:
                TwoBitFile(source)
            assert err.value.offset == 0


def test_unknown_version(tmp_path, good):
    data = good[:4] + struct.pack("<I", 2) + good[8:]
    with pytest.raises(FormatError, match="version 2") as err:
        TwoBitFile(sources(tmp_path, data)[0])
    assert err.value.offset == 4


def test_absurd_sequence_count(tmp_path, good):
    data = good[:8] + struct.pack("<I", 0xFFFFFFF0) + good[12:]
    for source in sources(tmp_path, data):
        with pytest.raises(FormatError, match="sequence count") as err:
            TwoBitFile(source)
        assert err.value.offset == 8


def test_offset_past_the_end(tmp_path, good):
    # first index entry: name size at 16, name 'chr1', offset at 21
    data = good[:21] + struct.pack("<I", len(good) + 100) + good[25:]
    for source in sources(tmp_path, data):
        with pytest.raises(FormatError, match="past the end") as err:
            TwoBitFile(source)
        assert err.value.offset == 16


def test_absurd_block_counts_and_sizes(tmp_path, good):
    with TwoBitFile(io.BytesIO(good)) as tb:
        rec = tb._record_of("chr1")
        offset = rec.offset
    cases = {
        "N block count": offset + 4,
        "mask block count": offset + 8 + 8 * rec.n_count,
    }
    for what, at in cases.items():
        data = good[:at] + struct.pack("<I", 0x7FFFFFFF) + good[at + 4:]
        for source in sources(tmp_path, data):
            with pytest.raises(FormatError, match=what) as err:
                TwoBitFile(source).fetch("chr1")
            assert err.value.offset == at
    # a sequence size whose bases cannot be in the file
    data = good[:offset] + struct.pack("<I", 0xFFFFFFFF) + good[offset + 4:]
    for source in sources(tmp_path, data):
        with pytest.raises(FormatError, match="truncated"):
            TwoBitFile(source).fetch("chr1", 0, 10)


def test_blocks_past_the_sequence_end(tmp_path, good):
    with TwoBitFile(io.BytesIO(good)) as tb:
        rec = tb._record_of("chr1")
    at = rec.offset + 8  # first N block start
    data = good[:at] + struct.pack("<I", 10_000) + good[at + 4:]
    for source in sources(tmp_path, data):
        with TwoBitFile(source) as tb:
            for query in (tb.n_blocks, tb.block_arrays, tb.block_bases, lambda n: list(tb.blocks_bed(n))):
                with pytest.raises(FormatError, match=r"N block 0 of sequence 'chr1' \(10000-10004\) runs past") as err:
                    query("chr1")
                assert err.value.offset == rec.offset
            pieces = tb.blocks_bed("chr1", lines_per_piece=1)  # checked piece by piece, as read
            with pytest.raises(FormatError, match="runs past"):
                next(pieces)
    with TwoBitFile(io.BytesIO(data)) as tb:
        # fetches stay within the region whatever the tables say
        assert len(tb.fetch("chr1")) == len(RECORDS[0][1])


def test_random_corruption_never_crashes(tmp_path, good):
    rng = random.Random(13)
    allowed = (FormatError, NotFoundError, OutOfRangeError)
    for trial in range(600):
        data = bytearray(good)
        for _ in range(rng.randrange(1, 4)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        source = io.BytesIO(bytes(data)) if trial % 2 else Unmappable(bytes(data))
        try:
            read_everything(source)
        except allowed:
            pass


def test_repeated_names_mean_the_last_record(tmp_path):
    """kent's writer refuses repeated names; in a file that has them anyway, a name stands
    for its last record, as in kent's reader (twoBitToFa prints that record twice)."""
    path = tmp_path / "two.2bit"
    write_twobit([("aa", "ACGT"), ("ab", "GGGGCC")], path)
    data = bytearray(path.read_bytes())
    at = data.index(b"ab")
    data[at:at + 2] = b"aa"
    for source in sources(tmp_path, bytes(data)):
        with TwoBitFile(source) as tb:
            assert list(tb) == ["aa", "aa"]
            assert tb.sizes == {"aa": 6} and tb.fetch("aa") == "GGGGCC" and len(tb["aa"]) == 6
