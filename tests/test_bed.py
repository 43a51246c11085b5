"""BED types, schemas, chrom.sizes, records; the tokenizer kernel against a Python reference.

The reference below restates kent's bedToBigBed line checks (basicBed.c loadAndValidateBed,
linefile.c number rules) independently of cext/bedtok.pyx; random valid lines and
mutations of them must get the same verdict (error code and column) or the same record.
"""
import random
import struct

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trackpack import bed as B
from trackpack._kernels import load
from trackpack.errors import ArgumentError, FormatError, UsageError

bedtok = load("bedtok")


# --- BedType, schema ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text,n,plus,back",
    [("bed3", 3, None, "bed3"), ("bed6+", 6, 0, "bed6+"), ("bed12+8", 12, 8, "bed12+8"), ("bed15+0", 15, 0, "bed15+")],
)
def test_bed_type_parse(text, n, plus, back):
    t = B.BedType.parse(text)
    assert (t.bed_n, t.plus, str(t)) == (n, plus, back)


@pytest.mark.parametrize("text", ["bed", "bed2", "bed16", "bigBed6", "bed6+x", "6", "bed6-2"])
def test_bed_type_rejects(text):
    with pytest.raises(UsageError):
        B.BedType.parse(text)


def test_standard_schema_counts():
    s = B.resolve_schema("bed6+3", None)
    assert (s.bed_n, s.field_count) == (6, 9)
    assert s.table.field_names[6:] == ["field8", "field9", "field10"]  # kent's numbering
    assert B.resolve_schema("bed6+", None).field_count == 6  # a bare + adds nothing
    sniff = B.resolve_schema(None, None, sniffed_fields=20)
    assert (sniff.bed_n, sniff.field_count) == (15, 20)


def test_schema_needs_type_with_autosql():
    with pytest.raises(UsageError, match="type"):
        B.resolve_schema(None, "table x \"y\" (string chrom; \"c\")")


def test_schema_checks_standard_columns():
    text = 'table t "t" ( string chrom; "c" uint chromStart; "s" uint chromEnd; "e" uint name; "n" )'
    with pytest.raises(FormatError, match="column #4"):
        B.resolve_schema("bed4", text)
    assert B.resolve_schema("bed3+1", text).field_count == 4


def test_item_rgb_column_name_is_accepted(tmp_path):
    as_text = open(_kent_input("itemRgbBed12.as")).read()
    s = B.resolve_schema("bed12", as_text)
    assert s.table.columns[8].name == "itemRgb"  # stored as given


def test_extra_index_columns():
    s = B.resolve_schema("bed6", None)
    assert s.index_columns(["name"]) == [3]
    with pytest.raises(UsageError, match="not a column"):
        s.index_columns(["nope"])
    with pytest.raises(UsageError, match="only 'string'"):
        s.index_columns(["score"])


def test_read_chrom_sizes(tmp_path):
    p = tmp_path / "sizes"
    p.write_text("# comment\nchr1\t100\n\nchr2 200 extra\nchr1 150\n")
    assert B.read_chrom_sizes(p) == {b"chr1": 150, b"chr2": 200}
    assert B.read_chrom_sizes({"a": 5}) == {b"a": 5}
    p.write_text("chr1\t-5\n")
    with pytest.raises(FormatError, match=r"sizes:1: size '-5'"):
        B.read_chrom_sizes(p)
    with pytest.raises(ArgumentError):
        B.read_chrom_sizes({"a": "x"})


def test_read_chrom_sizes_line_boundaries(tmp_path):
    """The file's start is looked at separately: lines across that cut still read whole."""
    names = [f"chr{i}_{'x' * (i % 50)}" for i in range(3000)]
    p = tmp_path / "sizes"
    p.write_text("".join(f"{n}\t{i + 1}\n" for i, n in enumerate(names)).rstrip("\n"))
    assert B.read_chrom_sizes(p) == {n.encode(): i + 1 for i, n in enumerate(names)}


@pytest.mark.parametrize("kind,magic,advice", [
    (".2bit", 0x1A412743, "use -sizesIs2Bit"),
    ("bigBed", 0x8789F2EB, "use -sizesIsChromAliasBb (or its old name -sizesIsBb)"),
    ("bigWig", 0x888FFC26, "bigWigInfo -chroms"),
    (".nib", 0x6BE93D3A, "as text"),
])
@pytest.mark.parametrize("order", "<>")
def test_binary_files_as_chrom_sizes(tmp_path, kind, magic, advice, order):
    p = tmp_path / "genome.bin"
    p.write_bytes(struct.pack(order + "I", magic) + b"\x00\x00\x00\x00\x01chr3_random\xad,\x00C'A 12\n")
    assert B.binary_kind(p.read_bytes()) == kind
    with pytest.raises(FormatError) as info:
        B.read_chrom_sizes(p)
    assert str(info.value).startswith(f"{p}: looks like a {kind} file, not a chrom.sizes text: ")
    assert advice in str(info.value)


def test_binary_kind_of_text_and_junk():
    rng = random.Random(3)
    assert B.binary_kind(b"chr1\t100\nchr2\t200\r\n") is None
    assert B.binary_kind(b"") is None
    assert B.binary_kind(b"chr1\t100\x00\n" + b"chr2\t200\n" * 50) is None  # a stray NUL: named by its line
    assert B.binary_kind(bytes(rng.randrange(256) for _ in range(4000))) == "binary"
    assert B.binary_kind(b"\x00" * 16) == "binary"
    assert B.binary_kind(b"chr1\x1b[1m\x07\x0c\t100\n" * 20) is None  # odd, but text: no NUL


def test_binary_lines_in_chrom_sizes(tmp_path):
    p = tmp_path / "sizes"
    p.write_bytes(b"chr1\t100\n" * 500 + b"\x01\x02\x00\x04\x05\x06 x\n")
    with pytest.raises(FormatError, match=r"sizes: holds binary data, not a chrom.sizes text"):
        B.read_chrom_sizes(p)
    p.write_bytes(b"chr\x01\xff1\t10\x1b[2J\n")  # a stray control byte: the line is named, escaped
    with pytest.raises(FormatError) as info:
        B.read_chrom_sizes(p)
    assert str(info.value) == f"{p}:1: size '10\\x1b[2J' of chr\\x01\\xff1 is not an unsigned 32-bit integer"


def ref_printable(data, limit):
    """Reference: every character printable (or escaped), at most ``limit`` characters."""
    text = data.decode("utf-8", errors="backslashreplace")
    out = text[: limit - 3] if len(text) > limit else text
    escaped = []
    for ch in out:
        if ch.isprintable():
            escaped.append(ch)
        elif ord(ch) < 256:
            escaped.append("\\x%02x" % ord(ch))
        else:
            escaped.append(ch.encode("unicode_escape").decode())
    return "".join(escaped) + ("..." if len(text) > limit else "")


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.binary(max_size=120), st.text(max_size=60).map(str.encode)), st.integers(5, 100))
def test_printable_never_echoes_raw_bytes(data, limit):
    shown = B.printable(data, limit)
    assert shown.isprintable()
    assert "\n" not in shown and "\t" not in shown
    assert shown == ref_printable(data, limit)


def test_printable_keeps_readable_text():
    assert B.printable("gène 5' UTR".encode()) == "gène 5' UTR"
    assert B.printable(b"a\tb\x00c\xff\n") == "a\\x09b\\x00c\\xff\\x0a"
    assert B.printable("zero\u200bwidth") == "zero\\u200bwidth"
    assert B.printable(b"x" * 100, 20) == "x" * 17 + "..."


def ref_field_text(value):
    """Plain-Python reference of the kernel's value conversion."""
    if isinstance(value, str):
        return value
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).decode()
    if isinstance(value, bool):
        return str(int(value))
    if isinstance(value, float):
        if value == value and abs(value) < 2**53 and value == int(value):
            return str(int(value))
        return str(value)
    if value is None:
        return ""
    if isinstance(value, (list, tuple)) or getattr(value, "ndim", 0) > 0:
        return "".join(f"{ref_field_text(v)}," for v in value)
    if hasattr(value, "__index__"):
        return str(value.__index__())
    return str(value)


def ref_render(records, field_count):
    lines = []
    for rec in records:
        if isinstance(rec, (str, bytes)):
            lines.append((rec if isinstance(rec, str) else rec.decode()).rstrip("\r\n"))
        elif len(rec) == 4 and field_count == 3 and rec[3] in ("", b"", None):
            lines.append("\t".join(ref_field_text(v) for v in rec[:3]))
        else:
            lines.append("\t".join(ref_field_text(v) for v in rec))
    return "".join(line + "\n" for line in lines).encode()


VALUES = st.one_of(
    st.text(alphabet=st.characters(blacklist_characters="\t\n\r\0", blacklist_categories=("Cs",)), max_size=8),
    st.integers(min_value=-2**70, max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.none(),
    st.binary(max_size=5).filter(lambda b: b"\t" not in b and b"\n" not in b and b"\r" not in b).map(
        lambda b: b.decode("latin-1").encode()),
    st.lists(st.integers(-5, 10**12), max_size=4),
    st.tuples(st.integers(0, 9), st.integers(0, 9)),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(VALUES, min_size=6, max_size=6).map(tuple), max_size=30))
def test_render_kernel_equals_reference(records):
    records = list(records)
    if records:
        records.append(("c", np.int64(5), np.uint32(7), np.array([1, 2], dtype=np.int32), np.float64(2.5), "x"))
    assert b"".join(B.render_records(records, 6, chunk_lines=7)) == ref_render(records, 6)


def test_render_records_forms():
    chunks = list(B.render_records([("chr1", 0, 5, "a", 3, "+"), ("chr1", 1, 2, "b\t4\t-"), "chr1\t2\t3\tc\t0\t."], 6))
    assert b"".join(chunks) == b"chr1\t0\t5\ta\t3\t+\nchr1\t1\t2\tb\t4\t-\nchr1\t2\t3\tc\t0\t.\n"
    lists = b"".join(B.render_records([("c", 0, 10, "x", 0, "+", 0, 10, "0", 2, [3, 4], (0, 6))], 12))
    assert lists.endswith(b"2\t3,4,\t0,6,\n")
    with pytest.raises(FormatError, match="record has 5 values"):
        list(B.render_records([("c", 0, 1, "x", 2)], 6))


def test_describe_error_names_columns():
    s = B.resolve_schema("bed6", None)
    msg = B.describe_error(B.E_NUMBER, 4, 1, 0, 0, b"12x", s)
    assert "column 5 (score)" in msg and "'12x'" in msg
    assert "found 7" in B.describe_error(B.E_FIELD_COUNT, -1, 7, 0, 0, b"", s)


def _kent_input(name):
    from common import corpus

    return corpus(f"ucscGenomeBrowser+kent-core/src/utils/bedToBigBed/tests/input/{name}")


# --- the reference validator --------------------------------------------------------------------


def ref_int(text, signed, nbytes, no_neg):
    limit = (1 << (8 * nbytes)) - 1
    if signed:
        limit >>= 1
    minus = False
    if text.startswith("-"):
        if not signed:
            return 3, 0
        if no_neg:
            return 4, 0
        minus, limit, text = True, limit + 1, text[1:]
    value, i = 0, 0
    while i < len(text) and text[i] in "0123456789":
        value = value * 10 + int(text[i])
        if value > limit:
            return 2, 0
        i += 1
    if i < len(text):
        return 1, 0
    if i == 0:
        return 5, 0
    return 0, -value if minus else value


def ref_strtod_whole(text):
    """C strtod consumes all of ``text`` (leading white space allowed, as strtod skips it)."""
    body = text.lstrip(" \t\n\v\f\r")
    if not body or "_" in body or body != body.rstrip(" \t\n\v\f\r"):
        return False
    unsigned = body[1:] if body[0] in "+-" else body
    if unsigned[:2].lower() == "0x":
        try:
            float.fromhex(body)
            return True
        except ValueError:
            return False
    try:
        float(body)
        return True
    except ValueError:
        return False


def ref_list(text, signed, nbytes, no_neg, cap):
    vals, pos = [], 0
    while pos < len(text) and len(vals) < cap:
        comma = text.find(",", pos)
        x = comma if comma >= 0 else len(text)
        st, v = ref_int(text[pos:x], signed, nbytes, no_neg)
        if st:
            return st, vals, len(vals)
        vals.append(v)
        pos = x + 1 if comma >= 0 else len(text)
    return 0, vals, 0


def ref_check(fields, sch, chrom_size, *, fix_scores=False, allow=False):
    """('error', code, column) or ('ok', rest_bytes, start, end) for one line's fields."""
    def err(code, col):
        return ("error", code, col)

    n, bn = sch.field_count, sch.bed_n
    if len(fields) != n:
        return err(B.E_FIELD_COUNT, -1)
    st, start = ref_int(fields[1], False, 4, False)
    if st:
        return err(B.E_NUMBER, 1)
    st, end = ref_int(fields[2], False, 4, False)
    if st:
        return err(B.E_NUMBER, 2)
    if start > end:
        return err(B.E_START_AFTER_END, -1)
    if end > chrom_size:
        return err(B.E_END_BEYOND_CHROM, 2)
    out = list(fields)
    if bn > 3 and len(fields[3].encode()) > 255:
        return err(B.E_NAME_LONG, 3)
    if bn > 4:
        st, v = ref_int(fields[4], True, 4, False)
        if fix_scores:
            if st == 0:
                out[4] = "0" if v < 0 else "1000" if v > 1000 else fields[4]
            else:
                out[4] = "1000" if st == 2 and not fields[4].startswith("-") else "0"
        elif st:
            return err(B.E_NUMBER, 4)
        elif not 0 <= v <= 1000:
            return err(B.E_SCORE_RANGE, 4)
    if bn > 5 and fields[5] not in ("+", "-", "."):
        return err(B.E_STRAND, 5)
    ts = start
    if bn > 6:
        st, ts = ref_int(fields[6], False, 4, False)
        if st:
            return err(B.E_NUMBER, 6)
    if bn > 7:
        st, te = ref_int(fields[7], False, 4, False)
        if st:
            return err(B.E_NUMBER, 7)
        if te < ts:
            return err(B.E_THICK_ORDER, 6)
        if ts != 0 and not start <= ts <= end:
            return err(B.E_THICK_START_RANGE, 6)
        if te != 0 and not start <= te <= end:
            return err(B.E_THICK_END_RANGE, 7)
    if bn > 8:
        if "," in fields[8]:
            st, vals, _ = ref_list(fields[8], False, 1, False, 4)
            if st or len(vals) != 3:
                return err(B.E_RGB, 8)
        elif ref_int(fields[8], False, 4, False)[0]:
            return err(B.E_RGB, 8)
    bc = 1
    if bn > 9:
        st, bc = ref_int(fields[9], True, 4, False)
        if st:
            return err(B.E_NUMBER, 9)
        if bc < 1:
            return err(B.E_BLOCK_COUNT, 9)
    if bn > 10:
        st, sizes, _ = ref_list(fields[10], True, 4, True, bc)
        if st:
            return err(B.E_NUMBER_IN_LIST, 10)
        if len(sizes) != bc:
            return err(B.E_LIST_COUNT, 10)
    if bn > 11:
        st, starts, _ = ref_list(fields[11], True, 4, True, bc)
        if st:
            return err(B.E_NUMBER_IN_LIST, 11)
        if len(starts) != bc:
            return err(B.E_LIST_COUNT, 11)
        if starts[0] != 0:
            return err(B.E_FIRST_BLOCK, 11)
        for i in range(1, bc):
            if starts[i] + start >= end:
                return err(B.E_BLOCK_ABSOLUTE if starts[i] >= start else B.E_BLOCK_PAST_END, 11)
            if starts[i] < starts[i - 1] + sizes[i - 1] - (1 if allow else 0):
                return err(B.E_BLOCK_OVERLAP, 11)
        if start + starts[-1] + sizes[-1] != end:
            return err(B.E_LAST_BLOCK, 11)
    if bn > 12:
        st, v = ref_int(fields[12], True, 4, True)
        if st:
            return err(B.E_NUMBER, 12)
        if v < 1:
            return err(B.E_EXP_COUNT, 12)
        st, ids, _ = ref_list(fields[13], True, 4, True, v)
        if st:
            return err(B.E_NUMBER_IN_LIST, 13)
        if len(ids) != v:
            return err(B.E_LIST_COUNT, 13)
        if bn > 14:
            scores, pos = 0, 0
            while pos < len(fields[14]) and scores < v:
                comma = fields[14].find(",", pos)
                scores += 1
                pos = comma + 1 if comma >= 0 else len(fields[14])
            if scores != v:
                return err(B.E_LIST_COUNT, 14)
    links = {}
    for col in range(n):
        if sch.size_link[col]:
            st, v = ref_int(fields[col], True, 4, True)
            if st:
                return err(B.E_NUMBER, col)
            links[col] = v
    for col in range(bn, n):
        kind = sch.kinds[col]
        text = fields[col]
        if kind == B.KIND_INT:
            if ref_int(text, sch.int_signed[col], sch.int_bytes[col], False)[0]:
                return err(B.E_NUMBER, col)
        elif kind == B.KIND_FLOAT:
            if not ref_strtod_whole(text):
                return err(B.E_FLOAT, col)
        elif kind == B.KIND_STRING:
            if len(text.encode()) > 255:
                return err(B.E_STRING_LONG, col)
        elif kind == B.KIND_INT_LIST:
            st, vals, _ = ref_list(text, sch.int_signed[col], sch.int_bytes[col], False, 10240)
            if st:
                return err(B.E_NUMBER_IN_LIST, col)
            if sch.list_fixed[col] > 0:
                if len(vals) != sch.list_fixed[col]:
                    return err(B.E_LIST_COUNT, col)
            else:
                want = links.get(sch.list_link[col])
                if want is None or want < 1:
                    return err(B.E_LIST_SIZE, col)
                if want != len(vals):
                    return err(B.E_LIST_COUNT, col)
    rest = "\t".join(out[3:]).encode() + b"\0"
    return ("ok", rest, start, end)


AS_TEXT = """table test
"bed12 plus extras"
    (
    string chrom;       "c"
    uint   chromStart;  "s"
    uint   chromEnd;    "e"
    string name;        "n"
    uint score;         "s"
    char[1] strand;     "s"
    uint thickStart;    "t"
    uint thickEnd;      "t"
    uint reserved;      "r"
    int blockCount;     "b"
    int[blockCount] blockSizes; "b"
    int[blockCount] chromStarts; "b"
    short tiny;         "signed 16-bit"
    uint count;         "unsigned 32-bit"
    double value;       "float"
    string label;       "up to 255"
    int[blockCount] frames; "linked list"
    ubyte[3] triple;    "fixed list"
    lstring note;       "anything"
    bigint huge;        "signed 64-bit"
    )
"""
SCHEMA = B.resolve_schema("bed12", AS_TEXT)
CHROM_SIZE = 100_000


def valid_fields(rng):
    start = rng.randrange(0, CHROM_SIZE - 3000)
    nblocks = rng.randrange(1, 6)
    sizes, starts, pos = [], [], 0
    for _ in range(nblocks):
        gap = rng.randrange(0, 50) if starts else 0
        size = rng.randrange(1, 300)
        starts.append(pos + gap)
        sizes.append(size)
        pos += gap + size
    end = start + pos
    ts = rng.choice([0, start, start + rng.randrange(0, pos + 1)])
    te = rng.choice([ts, end]) if ts else rng.choice([0, end])
    rgb = rng.choice(["0", "255,0,0", "12,34,56,", str(rng.randrange(2**24))])
    return [
        "chr1", str(start), str(end), rng.choice(["n1", "with space", "", "x" * 255]),
        str(rng.randrange(0, 1001)), rng.choice("+-."), str(ts), str(te), rgb, str(nblocks),
        ",".join(map(str, sizes)) + rng.choice([",", ""]), ",".join(map(str, starts)) + ",",
        str(rng.randrange(-32768, 32768)), str(rng.randrange(0, 2**32)), rng.choice(["1.5", "-2e3", "0", "nan", "inf", "0x1p3", " 2"]),
        rng.choice(["", "lab", "y" * 255]), ",".join(str(rng.randrange(-1, 3)) for _ in range(nblocks)) + ",",
        ",".join(str(rng.randrange(256)) for _ in range(3)), rng.choice(["", "a b c", "z" * 400]),
        str(rng.randrange(-2**63, 2**63)),
    ]


BAD_NUMBERS = ["", "-", "abc", "12x", "-1", "+5", "4294967296", "99999999999999999999", " 7", "0x10", "1.0"]


def mutate(rng, f):
    f = list(f)
    col = rng.randrange(1, len(f))
    choice = rng.random()
    if choice < 0.4:
        f[col] = rng.choice(BAD_NUMBERS + ["1001", "-5", "256,0,0", "1,2", "1,,2", "1,2,3,4", "0,", "x" * 300, "++"])
    elif choice < 0.55:  # shift a coordinate
        base = int(f[1]) if f[1].isdigit() else 0
        f[col] = str(max(0, base + rng.randrange(-10, 4000)))
    elif choice < 0.7 and col in (10, 11, 16, 17) and col < len(f):  # list lengths
        f[col] = f[col].rstrip(",") + rng.choice([",7", ",7,", ""]) if rng.random() < 0.5 else f[col].split(",", 1)[-1]
    elif choice < 0.8 and len(f) > 11:  # blocks
        starts = f[11].rstrip(",").split(",")
        starts[rng.randrange(len(starts))] = str(rng.randrange(0, 400))
        f[11] = ",".join(starts)
    elif choice < 0.9 and len(f) > 9 and f[9].lstrip("-").isdigit():
        f[9] = str(int(f[9]) + rng.choice([-5, -1, 1]))
    else:
        del f[col]
    return f


def scan_line(fields, sch, *, tab=True, fix_scores=False, allow=False, big=False):
    line = ("\t" if tab else " ").join(fields) + "\n"
    sc = bedtok.BedScanner(sch.field_count, sch.bed_n, tab=tab, items_per_slot=10, big_endian=big,
                           fix_scores=fix_scores, allow_overlap=allow, **sch.column_rules())
    buf = line.encode()
    while True:
        status = sc.scan(buf, True)
        if status == 2:
            sc.set_chrom(bytes(buf[sc.pending_start:sc.pending_end]), 7, CHROM_SIZE)
            continue
        if status == 3:
            return ("error", sc.err_code, sc.err_col)
        assert status == 0
        break
    assert sc.finish()
    block = sc.take_block()
    cid, start, end = struct.unpack(">III" if big else "<III", block[:12])
    assert cid == 7
    return ("ok", block[12:], start, end)


@pytest.mark.parametrize("seed", range(12))
def test_tokenizer_matches_reference_on_valid_lines(seed):
    rng = random.Random(seed)
    for _ in range(150):
        f = valid_fields(rng)
        want = ref_check(f, SCHEMA, CHROM_SIZE)
        assert want[0] == "ok", (want, f)
        assert scan_line(f, SCHEMA) == want


@pytest.mark.parametrize("seed", range(25))
def test_tokenizer_matches_reference_on_mutated_lines(seed):
    rng = random.Random(1000 + seed)
    for _ in range(200):
        f = mutate(rng, valid_fields(rng))
        if rng.random() < 0.5:
            f = mutate(rng, f)
        fix, allow = rng.random() < 0.3, rng.random() < 0.3
        assert scan_line(f, SCHEMA, fix_scores=fix, allow=allow) == ref_check(
            f, SCHEMA, CHROM_SIZE, fix_scores=fix, allow=allow), f


@pytest.mark.parametrize("bed_n", [10, 13])
def test_types_kent_cannot_describe_are_refused(bed_n):
    # kent's standard schema for these has a count column without its list, and its
    # standard-BED check refuses that
    with pytest.raises(UsageError, match=f"bed{bed_n - 1}\\+1"):
        B.resolve_schema(f"bed{bed_n}", None)


@pytest.mark.parametrize("bed_n", [3, 4, 5, 6, 7, 8, 9, 11, 12, 14, 15])
def test_tokenizer_standard_types_and_whitespace(bed_n):
    rng = random.Random(bed_n)
    sch = B.resolve_schema(f"bed{bed_n}", None)
    for _ in range(100):
        full = valid_fields(rng)
        f = full[:bed_n] if bed_n <= 12 else full[:12] + ["2", "0,1,", "1.5,2,"][: bed_n - 12]
        f[3:4] = [f[3].replace(" ", "_") or "x"] if bed_n > 3 else []
        f = f[:bed_n]
        if rng.random() < 0.5:
            f = mutate(rng, f) if len(f) > 3 else f
        f = [x if x.strip() and " " not in x else "q" for x in f]  # white space splitting cannot carry these
        want = ref_check(f, sch, CHROM_SIZE)
        assert scan_line(f, sch, tab=False) == want
        assert scan_line(f, sch, tab=True) == want


def test_record_byte_order():
    f = ["chr1", "10", "20", "x"]
    sch = B.resolve_schema("bed4", None)
    assert scan_line(f, sch, big=True) == ("ok", b"x\0", 10, 20)


def _scan_text(text, sch, sizes, tab=False, items_per_slot=3):
    sc = bedtok.BedScanner(sch.field_count, sch.bed_n, tab=tab, items_per_slot=items_per_slot, big_endian=False,
                           index_cols=[3] if sch.bed_n > 3 else [], **sch.column_rules())
    buf = text.encode()
    events = []
    while True:
        status = sc.scan(buf, True)
        if status == 0:
            break
        if status == 1:
            events.append(("block", sc.done_chrom, sc.done_start, sc.done_end, sc.done_items, sc.take_block(),
                           sc.take_keys(0) if sch.bed_n > 3 else []))
        elif status == 2:
            name = bytes(buf[sc.pending_start:sc.pending_end])
            events.append(("chrom", name, sc.line_no))
            sc.set_chrom(name, len([e for e in events if e[0] == "chrom"]) - 1, sizes[name])
        else:
            events.append(("error", sc.err_code, sc.line_no))
            return events, sc
    if sc.finish():
        events.append(("block", sc.done_chrom, sc.done_start, sc.done_end, sc.done_items, sc.take_block(),
                       sc.take_keys(0) if sch.bed_n > 3 else []))
    return events, sc


def test_blocks_chromosomes_comments_and_keys():
    sch = B.resolve_schema("bed4", None)
    text = ("# comment\n\n  \t \n  # indented comment\nchrA 0 10 a\nchrA 5 8 b\r\nchrA 5 30 c\nchrA 6 7 d\n"
            "chrB 0 0 e\nchrB 3 3 f")  # no newline at the end
    events, sc = _scan_text(text, sch, {b"chrA": 100, b"chrB": 3})
    kinds = [e[0] for e in events]
    assert kinds == ["chrom", "block", "block", "chrom", "block"]
    assert events[0][1:] == (b"chrA", 5)
    _, cid, start, end, items, data, keys = events[1]
    assert (cid, start, end, items) == (0, 0, 30, 3)  # bounds cover the largest end
    assert data == b"".join(struct.pack("<III", 0, s, e) + n + b"\0" for s, e, n in [(0, 10, b"a"), (5, 8, b"b"), (5, 30, b"c")])
    assert keys == (b"abc", struct.pack("=3I", 1, 1, 1))
    assert events[2][6] == (b"d", struct.pack("=I", 1))
    assert events[4][2:5] == (0, 3, 2)
    assert (sc.item_count, sc.total_bases, sc.max_key_length(0)) == (6, 10 + 3 + 25 + 1, 1)


@pytest.mark.parametrize(
    "text,code,line",
    [
        ("chrA 5 9\nchrA 4 9\n", B.E_NOT_SORTED, 2),
        ("chrA 5 101\n", B.E_END_BEYOND_CHROM, 1),
        ("chrA 5 4\n", B.E_START_AFTER_END, 1),
        ("track name=x\nchrA 1 2\n", B.E_TRACK_LINE, 1),
        ("chrA 1 2\nbrowser position chr1\n", B.E_TRACK_LINE, 2),
        ("chrA 1 2 3\n", B.E_FIELD_COUNT, 1),
        ("chrA 1\0 2\n", B.E_NUL, 1),
    ],
)
def test_line_errors(text, code, line):
    sch = B.resolve_schema("bed3", None)
    events, _ = _scan_text(text, sch, {b"chrA": 100})
    assert events[-1] == ("error", code, line)


def test_sort_records_keys_order_like_sort_k1_k2n():
    text = b"chrB\t5\tx\n#c\nchrA\t10\ty\nchrA\t9\tz\nchrA\t10\tw\n\nchr\t1\tv"
    recs, pos, line_no, err = bedtok.sort_records(text, 0, True, True, 1)
    assert err is None and pos == len(text) and line_no == 8
    lines = [r[r.index(b"\0") + 13:] for r in sorted(recs)]
    assert lines == [b"chr\t1\tv", b"chrA\t9\tz", b"chrA\t10\ty", b"chrA\t10\tw", b"chrB\t5\tx"]
    numbers = [int.from_bytes(r[r.index(b"\0") + 5:r.index(b"\0") + 13], "big") for r in sorted(recs)]
    assert numbers == [7, 4, 3, 5, 1]
    recs, pos, _, err = bedtok.sort_records(b"a 1\nb x\n", 0, False, True, 1)
    assert err[:4] == (B.E_NUMBER, 1, 1, 2) and len(recs) == 1
    recs, _, _, err = bedtok.sort_records(b"  # indented comment\r\nc 1 x\r\n", 0, False, True, 1)
    assert err is None and recs == [b"c\0\0\0\0\1" + (2).to_bytes(8, "big") + b"c 1 x"]
    _, _, _, err = bedtok.sort_records(b"c 1 x\nbrowser hide\n", 0, False, True, 1)
    assert err[0] == B.E_TRACK_LINE and err[3] == 2


def test_unkey_lines_equals_reference():
    rng = random.Random(8)
    lines = [f"chr{rng.randrange(5)}\t{rng.randrange(10**6)}\tx{i}" for i in range(500)]
    text = ("\n".join(lines) + "\n").encode()
    recs, *_ = bedtok.sort_records(text, 0, True, True, 1)
    recs.sort()
    got, numbers = bedtok.unkey_lines(recs)
    ref_lines, ref_numbers = [], [0]
    for r in recs:  # plain-Python reference
        cut = r.index(b"\0")
        ref_numbers.append(int.from_bytes(r[cut + 5:cut + 13], "big"))
        ref_lines.append(r[cut + 13:] + b"\n")
    assert (got, numbers) == (b"".join(ref_lines), ref_numbers)
    assert sorted(numbers[1:]) == list(range(1, 501))
    with pytest.raises(ValueError):
        bedtok.unkey_lines([b"no key"])


def test_error_codes_match_the_tokenizer():
    codes = {name: getattr(B, name) for name in dir(B) if name.startswith("E_")}
    assert codes == bedtok.ERROR_CODES
    assert all(B.describe_error(code, -1, 0, 0, 0, b"", SCHEMA) != f"invalid BED line (error {code})"
               for code in codes.values())


def test_track_lines():
    assert B.is_track_line(b"track name=x") and B.is_track_line(b"browser") and B.is_track_line(b"track\tx")
    assert not B.is_track_line(b"tracks\t1\t2") and not B.is_track_line(b"chr1\t1\t2")
