"""The exception family: builtin bases, messages with location, pickling."""
import pickle

import pytest

import trackpack
from trackpack import errors


@pytest.mark.parametrize(
    "cls, builtin",
    [
        (errors.FormatError, ValueError),
        (errors.NotFoundError, KeyError),
        (errors.OutOfRangeError, IndexError),
        (errors.ArgumentError, TypeError),
        (errors.ClosedFileError, ValueError),
        (errors.UsageError, ValueError),
        (errors.KernelsMissingError, ImportError),
    ],
)
def test_each_error_is_also_its_builtin(cls, builtin):
    err = cls("bad thing")
    assert isinstance(err, builtin)
    assert isinstance(err, errors.TrackpackError)


def test_text_location_reads_path_colon_line():
    err = errors.FormatError("start 10 > end 5", path="in.bed", line=12)
    assert str(err) == "in.bed:12: start 10 > end 5"


def test_binary_location_reads_byte_offset_and_structure():
    err = errors.FormatError("bad magic", path="x.bb", offset=4096, structure="R-tree header", expected="0x2468ace0", found="0x0")
    assert str(err) == "x.bb: byte 4096 (R-tree header): bad magic (expected 0x2468ace0, found 0x0)"


def test_key_error_message_is_not_quoted():
    # KeyError normally shows repr(); ours must show the readable message.
    err = errors.NotFoundError("no sequence 'chr9' in genome.2bit")
    assert str(err) == "no sequence 'chr9' in genome.2bit"


def test_errors_survive_pickling_with_their_context():
    err = errors.FormatError("truncated", path="f.2bit", offset=77)
    back = pickle.loads(pickle.dumps(err))
    assert type(back) is errors.FormatError
    assert (back.path, back.offset, back.what) == ("f.2bit", 77, "truncated")
    assert str(back) == str(err)


def test_package_exports_the_family():
    assert trackpack.FormatError is errors.FormatError
    assert issubclass(trackpack.NotFoundError, trackpack.TrackpackError)
