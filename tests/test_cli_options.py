"""kent's command-line rules, as trackpack's tools apply them."""
import pytest

from trackpack.cli.options import MULTI, parse_args
from trackpack.errors import UsageError

SPEC = {"noMask": bool, "seq": str, "start": int, "ratio": float, "sourcePrefix": MULTI}
USAGE = "tool - does things\nusage:\n   tool in out\n"


def parse(*words, nargs=2):
    return parse_args(list(words), SPEC, USAGE, nargs=nargs)


def test_options_anywhere_among_arguments():
    p = parse("-noMask", "in.fa", "-seq=chr1", "out.fa", "start=5")
    assert p.args == ["in.fa", "out.fa"]
    assert p.opts == {"noMask": True, "seq": "chr1", "start": 5}


def test_lone_dash_is_an_argument_minus_strand():
    p = parse("in", "-", nargs=2)
    assert p.args == ["in", "-"]


def test_equals_after_other_characters_is_an_argument():
    p = parse("dir/a=b.bed", "out")
    assert p.args == ["dir/a=b.bed", "out"]


def test_double_dash_ends_options():
    p = parse("--", "-noMask", "out")
    assert p.args == ["-noMask", "out"]


def test_repeatable_option_collects_values():
    p = parse("-sourcePrefix=a", "in", "-sourcePrefix=b", "out")
    assert p.opts["sourcePrefix"] == ["a", "b"]


@pytest.mark.parametrize(
    "word, message",
    [
        ("-bogus", "-bogus is not a valid option"),
        ("-noMask=1", "boolean option -noMask must not have value"),
        ("-seq", "string option -seq must have a value"),
        ("-start=x", 'value of -start is not a valid integer: "x"'),
        ("-ratio=1.2.3", 'value of -ratio is not a valid float: "1.2.3"'),
    ],
)
def test_bad_options_give_kents_messages(word, message):
    with pytest.raises(UsageError) as info:
        parse("in", "out", word)
    assert str(info.value) == message


def test_wrong_argument_count_raises_the_usage():
    with pytest.raises(UsageError, match="usage:"):
        parse("only-one")


def test_common_options_and_quiet():
    p = parse("in", "out", "-verbose=0")
    assert p.progress is False
    assert parse("in", "out").progress is None
    assert parse("in", "out", "-q").progress is False
