"""File plumbing: input opening, atomic outputs, exact random access."""
import gzip
import io
import os
import stat
import subprocess
import sys
import threading

import pytest

from trackpack.errors import ArgumentError, FormatError
from trackpack.files import RandomAccess, atomic_output, open_input


def test_open_input_reads_plain_and_gzip_by_magic_not_name(tmp_path):
    plain = tmp_path / "a.txt.gz"  # misleading name: content decides
    plain.write_bytes(b"hello\n")
    packed = tmp_path / "b.txt"
    packed.write_bytes(gzip.compress(b"world\n"))
    with open_input(plain) as f:
        assert f.read() == b"hello\n"
    with open_input(packed) as f:
        assert f.read() == b"world\n"


def test_open_input_accepts_file_objects_without_closing_them():
    buf = io.BytesIO(gzip.compress(b"x" * 1000))
    f = open_input(buf)
    assert f.read() == b"x" * 1000
    f.close()
    assert not buf.closed


def test_open_input_reads_stdin_by_name():
    code = "from trackpack.files import open_input; import sys; sys.stdout.write(open_input('stdin').read().decode())"
    out = subprocess.run([sys.executable, "-c", code], input=gzip.compress(b"piped"), capture_output=True, check=True)
    assert out.stdout == b"piped"


def test_open_input_rejects_non_paths():
    with pytest.raises(ArgumentError):
        open_input(42)


def test_atomic_output_renames_only_on_success(tmp_path):
    target = tmp_path / "out.bin"
    with atomic_output(target) as f:
        f.write(b"data")
        assert not target.exists()  # nothing visible until the block succeeds
    assert target.read_bytes() == b"data"
    assert os.listdir(tmp_path) == ["out.bin"]


def test_atomic_output_failure_leaves_old_file_and_no_temp(tmp_path):
    target = tmp_path / "out.bin"
    target.write_bytes(b"old")
    with pytest.raises(RuntimeError):
        with atomic_output(target) as f:
            f.write(b"partial")
            raise RuntimeError("boom")
    assert target.read_bytes() == b"old"
    assert os.listdir(tmp_path) == ["out.bin"]


def test_atomic_output_interrupt_leaves_nothing(tmp_path):
    target = tmp_path / "out.bin"
    with pytest.raises(KeyboardInterrupt):
        with atomic_output(target) as f:
            f.write(b"partial")
            raise KeyboardInterrupt
    assert os.listdir(tmp_path) == []


def test_atomic_output_gives_normal_permissions(tmp_path):
    target = tmp_path / "out.txt"
    with atomic_output(target, "w") as f:
        f.write("text\n")
    mode = stat.S_IMODE(os.stat(target).st_mode)
    umask = os.umask(0)
    os.umask(umask)
    assert mode == 0o666 & ~umask


def test_atomic_output_writes_devices_directly():
    with atomic_output("/dev/null") as f:
        f.write(b"discarded")


def test_random_access_reads_exact_ranges(tmp_path):
    path = tmp_path / "f.bin"
    path.write_bytes(bytes(range(256)))
    with RandomAccess(path) as ra:
        assert ra.size == 256
        assert ra.read(10, 3) == b"\x0a\x0b\x0c"
        with pytest.raises(FormatError, match="byte 250"):
            ra.read(250, 10, "zoom header")


def test_random_access_on_file_object_is_thread_safe():
    data = bytes(range(256)) * 64
    ra = RandomAccess(io.BytesIO(data))
    errors = []

    def worker(seed):
        for i in range(500):
            off = (seed * 7919 + i * 104729) % (len(data) - 16)
            if ra.read(off, 16) != data[off:off + 16]:
                errors.append(off)

    threads = [threading.Thread(target=worker, args=(s,)) for s in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []


def test_gzip_with_several_members_reads_all_of_them(tmp_path):
    path = tmp_path / "multi.gz"
    path.write_bytes(gzip.compress(b"first\n") + gzip.compress(b"second\n" * 100_000))
    with open_input(path) as f:
        assert f.read() == b"first\n" + b"second\n" * 100_000


def test_gzip_reads_line_by_line(tmp_path):
    lines = [f"line {i}\n".encode() for i in range(50_000)]
    path = tmp_path / "lines.gz"
    path.write_bytes(gzip.compress(b"".join(lines)))
    with open_input(path) as f:
        assert list(f) == lines


def test_truncated_gzip_is_a_format_error(tmp_path):
    data = gzip.compress(bytes(range(256)) * 4000)
    path = tmp_path / "cut.gz"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(FormatError, match="truncated"):
        with open_input(path) as f:
            f.read()


def test_corrupt_gzip_is_a_format_error(tmp_path):
    data = bytearray(gzip.compress(b"abc" * 10_000))
    data[len(data) // 2] ^= 0xFF
    path = tmp_path / "bad.gz"
    path.write_bytes(bytes(data))
    with pytest.raises(FormatError, match="corrupt gzip"):
        with open_input(path) as f:
            f.read()


def test_random_access_after_close_is_a_closed_file_error(tmp_path):
    from trackpack.errors import ClosedFileError

    path = tmp_path / "f.bin"
    path.write_bytes(b"abc")
    ra = RandomAccess(path)
    ra.close()
    with pytest.raises(ClosedFileError, match="closed"):
        ra.read(0, 1)


def test_atomic_output_writes_through_symlinks_and_keeps_modes(tmp_path):
    real = tmp_path / "real.txt"
    real.write_text("old")
    os.chmod(real, 0o640)
    link = tmp_path / "link.txt"
    link.symlink_to(real)
    with atomic_output(link, "w") as f:
        f.write("new")
    assert link.is_symlink() and real.read_text() == "new"
    assert stat.S_IMODE(os.stat(real).st_mode) == 0o640


def test_atomic_output_errors_name_the_target_not_the_temporary(tmp_path):
    missing = tmp_path / "no_such_dir" / "out.bb"
    with pytest.raises(FileNotFoundError) as info:
        with atomic_output(missing):
            pass
    assert info.value.filename == str(missing)


def test_atomic_output_text_can_write_back_escaped_bytes(tmp_path):
    target = tmp_path / "t.txt"
    with atomic_output(target, "w", errors="surrogateescape") as f:
        f.write(b"caf\xe9\n".decode("utf-8", "surrogateescape"))
    assert target.read_bytes() == b"caf\xe9\n"
