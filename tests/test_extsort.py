"""External merge sort and chunk spools: same order as sorted(), bounded memory, cleanup."""
import os
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trackpack.extsort import ChunkSpool, ExternalSorter


def _records(rng, n, maxlen=30):
    return [bytes(rng.randrange(256) for _ in range(rng.randrange(maxlen))) for _ in range(n)]


@pytest.mark.parametrize("compress", [True, False])
def test_in_memory_sort_equals_sorted(compress):
    rng = random.Random(1)
    recs = _records(rng, 2000)
    with ExternalSorter(compress=compress) as s:
        s.extend(recs)
        assert not s.spilled
        assert list(s.sorted()) == sorted(recs)


@pytest.mark.parametrize("compress", [True, False])
def test_spilled_sort_equals_sorted(compress):
    rng = random.Random(2)
    recs = _records(rng, 20000)
    with ExternalSorter(memory_limit=50_000, compress=compress) as s:
        for i in range(0, len(recs), 777):
            s.extend(recs[i : i + 777])
        assert s.spilled and len(s._runs) > 10
        out = list(s.sorted())
    assert out == sorted(recs)
    assert len(out) == len(s)


def test_many_runs_merge_in_passes():
    rng = random.Random(3)
    recs = _records(rng, 5000, maxlen=12)
    with ExternalSorter(memory_limit=2000, fan_in=3) as s:
        for r in recs:
            s.add(r)
        assert len(s._runs) > 9  # more than fan_in**2: at least two merge passes
        assert list(s.sorted()) == sorted(recs)


def test_duplicates_and_empty_records_survive():
    recs = [b"", b"a", b"", b"a\0", b"a", b"\xff" * 3, b""] * 50
    with ExternalSorter(memory_limit=300) as s:
        s.extend(recs)
        assert list(s.sorted()) == sorted(recs)


def test_sorted_only_once():
    with ExternalSorter() as s:
        s.add(b"x")
        assert list(s.sorted()) == [b"x"]
        with pytest.raises(RuntimeError):
            list(s.sorted())


def test_run_files_are_removed(tmp_path):
    s = ExternalSorter(memory_limit=100, tmp_dir=str(tmp_path))
    s.extend([b"%d" % i for i in range(1000)])
    assert s.spilled
    s.close()
    # anonymous temporary files never show up in the directory
    assert os.listdir(tmp_path) == []


@settings(max_examples=60, deadline=None)
@given(st.lists(st.binary(max_size=20), max_size=300), st.integers(min_value=60, max_value=3000))
def test_sort_property(records, limit):
    with ExternalSorter(memory_limit=limit, fan_in=4) as s:
        s.extend(records)
        assert list(s.sorted()) == sorted(records)


@pytest.mark.parametrize("limit", [0, 10, 1 << 30])
def test_chunk_spool_reads_back_chunks(limit):
    rng = random.Random(4)
    chunks = [bytes(rng.randrange(256) for _ in range(rng.randrange(1, 500))) for _ in range(100)]
    with ChunkSpool(memory_limit=limit) as spool:
        for c in chunks:
            spool.append(c)
        spool.append(b"")  # ignored
        assert list(spool) == chunks
        assert list(spool) == chunks  # re-iterable
        spool.append(b"tail")
        assert list(spool) == chunks + [b"tail"]
        assert spool.nbytes == sum(map(len, chunks)) + 4


def test_chunk_spool_appends_after_a_partial_read():
    with ChunkSpool(memory_limit=0) as spool:
        for c in (b"a", b"bb", b"ccc"):
            spool.append(c)
        reader = iter(spool)
        assert next(reader) == b"a"  # stop reading part way through
        spool.append(b"dddd")
        assert list(spool) == [b"a", b"bb", b"ccc", b"dddd"]
