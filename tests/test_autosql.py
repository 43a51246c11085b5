"""autoSql parsing, kent's standard BED schemas, standard-BED checks, typed values."""
import pytest

from common import corpus
from trackpack.autosql import (
    STANDARD_BED_FIELDS,
    check_standard_bed,
    parse_autosql,
    parse_autosql_all,
    standard_bed_autosql,
)
from trackpack.errors import FormatError

AS_FILES = [
    "ucscGenomeBrowser+kent-core/src/hg/lib/bigGenePred.as",
    "ucscGenomeBrowser+kent-core/src/hg/lib/gencodeBGP.as",
    "ucscGenomeBrowser+kent-core/src/hg/lib/genePred.as",
    "ucscGenomeBrowser+kent-core/src/hg/lib/bed.as",
    "ucscGenomeBrowser+kent-core/src/utils/bedToBigBed/tests/input/itemRgb.as",
    "ucscGenomeBrowser+kent-core/src/utils/bedToBigBed/tests/input/tabSep.as",
    "ucscGenomeBrowser+kent-core/src/utils/bedToBigBed/tests/input/chromAliasIndex.as",
    "biopython+biopython/Tests/Blat/bigPsl.as",
    "biopython+biopython/Tests/MAF/bigMaf.as",
]


@pytest.mark.parametrize("rel", AS_FILES)
def test_real_as_files_parse(rel):
    obj = parse_autosql(corpus(rel).read_text(), path=rel)
    assert obj.columns and all(c.name for c in obj.columns)


def test_big_gene_pred_is_standard_bed12_plus_eight():
    obj = parse_autosql(corpus(AS_FILES[0]).read_text())
    assert len(obj.columns) == 20
    check_standard_bed(obj, 12)
    assert obj.field_names[12:] == ["name2", "cdsStartStat", "cdsEndStat", "exonFrames", "type", "geneName", "geneName2", "geneType"]
    frames = obj.column("exonFrames")
    assert frames.is_list and frames.linked_size_name == "blockCount"
    assert obj.column("cdsStartStat").type == "string"


def test_comment_lines_are_skipped():
    obj = parse_autosql('table t "c"\n(\n# a comment "with quote\nstring a; "x" # trailing\n)')
    assert obj.field_names == ["a"]


def test_enum_values():
    obj = parse_autosql('table t "c" ( enum(none, unk, cmpl) stat; "s" )')
    assert obj.columns[0].values == ("none", "unk", "cmpl")


@pytest.mark.parametrize("n", range(3, 16))
def test_standard_schema_has_the_standard_names(n):
    obj = parse_autosql(standard_bed_autosql(n, n + 2))
    assert obj.field_names[:n] == list(STANDARD_BED_FIELDS[:n])
    # kent numbers extra columns one past their position
    assert obj.field_names[n:] == [f"field{n + 2}", f"field{n + 3}"]


def test_standard_schema_text_matches_kents_layout():
    text = standard_bed_autosql(4)
    assert text.startswith('table bed\n"Browser Extensible Data"\n   (\n   string chrom;       "Reference')
    assert text.endswith('   string name;        "Name of item."\n   )\n')


def test_check_standard_bed_names_the_column():
    text = 'table x "y" ( string chrom; "c" uint start; "s" uint chromEnd; "e" )'
    with pytest.raises(FormatError, match="column #2.*'start'.*'chromStart'"):
        check_standard_bed(parse_autosql(text), 3)


def test_check_standard_bed_catches_wrong_types():
    text = 'table x "y" ( string chrom; "c" int chromStart; "s" uint chromEnd; "e" )'
    with pytest.raises(FormatError, match="column #2.*type is 'int'"):
        check_standard_bed(parse_autosql(text), 3)


@pytest.mark.parametrize(
    "text, line, message",
    [
        ('table t "c"\n(\nstrin chrom; "x"\n)', 3, "unknown type 'strin'"),
        ('table t "c"\n(\nstring chrom "x"\n)', 3, "expected ';'"),
        ('table t "c"\n(\nstring a; "x"\nstring a; "y"\n)', 4, "duplicate column name"),
        ('table t "c"\n(\nint[n] xs; "x"\n)', 3, "array size field 'n'"),
        ('garbage', 1, "expecting 'table' or 'object'"),
        ('', 1, "no table definition"),
        ('table t "c" ( string a; "x"', 1, "unexpected end"),
    ],
)
def test_errors_name_the_line(text, line, message):
    with pytest.raises(FormatError) as info:
        parse_autosql(text, path="my.as")
    assert info.value.line == line and info.value.path == "my.as"
    assert message in str(info.value)


def test_typed_values():
    obj = parse_autosql(standard_bed_autosql(12))
    conv = {c.name: c.converter() for c in obj.columns}
    assert conv["chromStart"]("12") == 12
    assert conv["strand"]("+") == "+"
    assert conv["blockSizes"]("10,20,") == (10, 20)
    assert parse_autosql('table t "c" ( float x; "x" set(a,b) s; "s" )').columns[1].converter()("a,b") == ("a", "b")


def test_several_objects():
    objs = parse_autosql_all('simple p "pt" ( int x; "x" )\ntable t "c" ( simple p[2] pts; "pts" )')
    assert [o.name for o in objs] == ["p", "t"] and objs[1].columns[0].is_array


def test_item_rgb_is_accepted_for_column_nine():
    text = standard_bed_autosql(9).replace("uint reserved;", "uint itemRgb; ")
    check_standard_bed(parse_autosql(text), 9)
