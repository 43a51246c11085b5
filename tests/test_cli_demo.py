"""trackpack demo: runs on the bundled data and leaves valid, readable files."""
from importlib.resources import files

from trackpack import BigBedFile, TwoBitFile, read_fasta
from trackpack.cli import main


def test_demo_packs_queries_and_reports(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["demo", str(out), "-q"]) == 0
    printed = capsys.readouterr().out
    data = files("trackpack") / "data"
    expected = dict(read_fasta(str(data / "demo.fa")))
    with TwoBitFile(out / "demo.2bit") as genome:
        assert {name: genome.fetch(name) for name in genome} == expected
        assert genome.fetch("chrA", 0, 60) in printed  # what it prints is what the file holds
    bed_lines = (data / "demo.bed").read_text().splitlines()
    with BigBedFile(out / "demo.bb") as bb:
        assert bb.item_count == len(bed_lines)
        assert ["\t".join(map(str, (c, s, e, r))) for c, s, e, r in bb] == bed_lines
        assert bb.extra_indexes == ["name"]
    assert "insertion" in printed and "Done." in printed


def test_demo_usage_on_too_many_arguments(capsys):
    assert main(["demo", "a", "b"]) == 255
    assert "usage" in capsys.readouterr().err
