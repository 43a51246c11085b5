"""trackpack.fasta: streaming FASTA reading with kent's rules, and FASTA output."""
from __future__ import annotations

import gzip
import io
import random
import threading

import pytest

from trackpack import FormatError, read_fasta
from trackpack.fasta import FastaHeader, format_fasta, reverse_complement, scan_fasta


def records(text: bytes, **kw):
    return list(read_fasta(io.BytesIO(text), **kw))


def test_wrapped_lines_crlf_blank_lines_and_descriptions():
    text = b">chr1 the first one\r\nACGT\r\nacgt\r\n\r\nNN\r\n>chr2\tsecond\n\nAC\nGT\n\n"
    assert records(text) == [("chr1", "ACGTacgtNN"), ("chr2", "ACGT")]


def test_name_is_first_word_after_leading_blanks():
    assert records(b">  name   desc\nAC\n") == [("name", "AC")]


def test_only_letters_and_dash_are_kept():
    # kent's reader drops digits, blanks, '*' and '.' from sequence lines
    assert records(b">x\n1 ACGT 60\nRY-*.u\n") == [("x", "ACGTRY-u")]


def test_gt_inside_a_line_is_not_a_header():
    assert records(b">x\nAC>GT\n>y\nA\n") == [("x", "ACGT"), ("y", "A")]


def test_empty_records_are_returned():
    assert records(b">a\n>b\nAC\n>c") == [("a", ""), ("b", "AC"), ("c", "")]


def test_blank_lines_and_bom_before_first_header():
    assert records(b"\xef\xbb\xbf\n\n  \n>a\nAC\n") == [("a", "AC")]


def test_empty_input_is_an_error():
    with pytest.raises(FormatError, match="empty"):
        records(b"")
    with pytest.raises(FormatError, match="empty"):
        records(b"\n\n")


def test_text_that_is_not_fasta_names_the_line():
    with pytest.raises(FormatError) as err:
        records(b"\n\nchr1\t10\t20\n>x\nAC\n")
    assert err.value.line == 3
    assert "not FASTA" in str(err.value)


def test_header_without_name():
    with pytest.raises(FormatError) as err:
        records(b">a\nAC\n>   \nGT\n")
    assert err.value.line == 3


def test_duplicate_names_name_both_lines(tmp_path):
    path = tmp_path / "dup.fa"
    path.write_bytes(b">a\nAC\n>b\nGG\n\n>a x\nTT\n")
    with pytest.raises(FormatError) as err:
        list(read_fasta(path))
    assert err.value.line == 6 and err.value.path == str(path)
    assert "first seen at line 1" in str(err.value)


def test_ignore_dups_keeps_the_first():
    assert records(b">a\nAC\n>a\nGG\n>b\nT\n", ignore_dups=True) == [("a", "AC"), ("b", "T")]


def test_gzip_and_paths(tmp_path):
    text = b">a\nACGT\nAC\n>b\nNN\n"
    plain = tmp_path / "x.fa"
    plain.write_bytes(text)
    packed = tmp_path / "x.fa.gz"
    packed.write_bytes(gzip.compress(text))
    assert list(read_fasta(plain)) == list(read_fasta(packed)) == list(read_fasta(str(packed))) == [
        ("a", "ACGTAC"),
        ("b", "NN"),
    ]


def test_stdin(monkeypatch):
    fake = io.TextIOWrapper(io.BytesIO(b">s\nAC\n"))
    monkeypatch.setattr("sys.stdin", fake)
    assert list(read_fasta("stdin")) == [("s", "AC")]


def test_line_numbers_across_chunk_boundaries():
    rng = random.Random(2)
    parts, expected_lines, line = [], [], 1
    for i in range(40):
        parts.append(f">r{i} desc\n".encode())
        expected_lines.append(line)
        line += 1
        for _ in range(rng.randrange(0, 6)):
            parts.append(b"ACGT" * rng.randrange(0, 20) + b"\n")
            line += 1
    text = b"".join(parts)
    for chunk in (1, 2, 3, 7, 64, 1 << 20):
        for background in (True, False):
            headers = [x for x in scan_fasta(io.BytesIO(text), chunk_size=chunk, background=background)
                       if isinstance(x, FastaHeader)]
            assert [h.line for h in headers] == expected_lines
            assert [h.name for h in headers] == [f"r{i}" for i in range(40)]
            assert headers[0].text == "r0 desc"


def test_scan_chunks_reassemble_the_text():
    text = b">a\nAC\nGT\n>b\n\nNN\n"
    for chunk in (1, 2, 5, 100):
        out = []
        for item in scan_fasta(io.BytesIO(text), chunk_size=chunk):
            out.append(b">" + item.text.encode() + b"\n" if isinstance(item, FastaHeader) else bytes(item))
        assert b"".join(out) == text


def test_background_reader_errors_and_early_stop():
    with pytest.raises(FormatError):
        list(scan_fasta(io.BytesIO(b"oops\n")))
    before = threading.active_count()
    items = scan_fasta(io.BytesIO(b">a\n" + b"ACGT\n" * 100000), chunk_size=64)
    next(items)
    items.close()  # the reader thread stops instead of blocking on a full queue
    assert threading.active_count() == before


def test_format_fasta_is_kents_layout():
    assert format_fasta("x", "A" * 120) == b">x\n" + b"A" * 50 + b"\n" + b"A" * 50 + b"\n" + b"A" * 20 + b"\n"
    assert format_fasta("x", "ACGT" * 25) == b">x\n" + b"ACGT" * 12 + b"AC\n" + b"GT" + b"ACGT" * 12 + b"\n"
    assert format_fasta("x", "") == b""
    assert format_fasta(None, "AC") == b"AC\n"
    assert format_fasta("x", "ACGT", width=3) == b">x\nACG\nT\n"


def test_reverse_complement_keeps_case():
    assert reverse_complement("ACGTNacgtnRYU") == "ARYnacgtNACGT"
    assert reverse_complement("") == ""


def test_write_fasta_from_pieces():
    from trackpack.fasta import write_fasta

    out = io.BytesIO()
    assert write_fasta(out, "x", ["A" * 100, "C" * 50, "G" * 7]) == len(out.getvalue())
    assert out.getvalue() == format_fasta("x", "A" * 100 + "C" * 50 + "G" * 7)
    out = io.BytesIO()
    assert write_fasta(out, "x", []) == 0 and out.getvalue() == b""
    with pytest.raises(ValueError, match="multiples"):
        write_fasta(io.BytesIO(), "x", ["A" * 7, "C"])
    with pytest.raises(ValueError, match="ASCII"):
        write_fasta(io.BytesIO(), "x", "AC\u00e9")


def test_text_streams():
    assert list(read_fasta(io.StringIO(">a\nAC\n>b\ngt\n"))) == [("a", "AC"), ("b", "gt")]
