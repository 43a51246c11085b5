"""The compiled GTF kernel (cext/gtftok.pyx) against the Python reference (genes/gtf.py).

Random GTF files with everything kent's rules care about (attribute spellings, feature
kinds, frames present or not, split stop codons, lines in any order, versions, tags) and
a share of bad input are converted both ways; the outputs and the errors must be the same.
"""
import random

import pytest

from trackpack.errors import FormatError
from trackpack.genes import fastgtf, onestep, pipeline

KERNEL = fastgtf.kernel()


@pytest.fixture
def python_only(monkeypatch):
    """Run the conversions with the Python reference only."""

    def use():
        monkeypatch.setattr(fastgtf, "kernel", lambda: None)
        import trackpack.genes.partition as partition

        monkeypatch.setattr(partition, "_scan_kernel", lambda: None)

    return use


def _attrs(rng, pairs):
    out = []
    for k, v in pairs:
        style = rng.random()
        if style < 0.75:
            out.append(f'{k} "{v}";')
        elif style < 0.85:
            out.append(f"{k} '{v}';")
        elif style < 0.95 and " " not in v and v:
            out.append(f"{k} {v};")
        else:
            out.append(f'{k}  "{v}" ;')
    text = " ".join(out)
    if rng.random() < 0.1:
        text = text.rstrip(";")
    if rng.random() < 0.1:
        text = " " + text
    return text


def random_gtf(seed, *, bad=0.0, bad_lines=0.0, escapes=0.0, chroms=("chr1", "chr2", "chrUn_x")):
    """A GTF text with up to ~30 transcripts per sequence.

    ``bad``: share of transcript lines put on the wrong strand (an error for that
    transcript), and of genes on strand "." or "?" (a bigGenePred error for "?");
    ``bad_lines``: share of lines damaged (unterminated quote, inverted coordinates);
    ``escapes``: share of lines with a backslash escape (valid).  Genes of the last
    sequence sit around 512 Mb, where UCSC bins switch to the extended scheme.
    """
    rng = random.Random(seed)
    lines = []
    tnum = 0
    for chrom in chroms:
        pos = 512 * 1024 * 1024 - 3000 if chrom == chroms[-1] else 1000
        for g in range(rng.randint(3, 12)):
            gid = f"G{seed}_{chrom}_{g}"
            strand = rng.choice("+-") if not bad or rng.random() > bad else rng.choice(".?")
            gname = rng.choice([f"GN{g}", None])
            gtype = rng.choice(["protein_coding", "lncRNA", "processed_pseudogene"])
            lines.append((chrom, "src", "gene", pos, pos + 5000, strand, ".", [("gene_id", gid), ("gene_type", gtype)]))
            for t in range(rng.randint(1, 3)):
                tnum += 1
                tid = f"T{seed}_{tnum}"
                exons = []
                p = pos + rng.randint(0, 50)
                for _ in range(rng.randint(1, 5)):
                    s = p + rng.randint(1, 300)
                    e = s + rng.randint(0, 200)
                    exons.append((s, e))
                    p = e + rng.choice([1, 2, 50, 400])
                base = [("gene_id", gid), ("transcript_id", tid)]
                extra = []
                if gname and rng.random() < 0.8:
                    extra.append(("gene_name", gname))
                if rng.random() < 0.7:
                    extra.append((rng.choice(["gene_type", "gene_type", "gene_biotype"]), gtype))
                if rng.random() < 0.6:
                    extra.append((rng.choice(["transcript_type", "transcript_type", "transcript_biotype"]),
                                  rng.choice(["protein_coding", "retained_intron", "lncRNA"])))
                if rng.random() < 0.3:
                    extra.append(("gene_version", str(rng.randint(1, 9))))
                if rng.random() < 0.3:
                    extra.append(("transcript_version", str(rng.randint(1, 9))))
                if rng.random() < 0.3:
                    extra.append(("tag", rng.choice(["basic", "CCDS", "MANE_Select"])))
                if rng.random() < 0.2:
                    extra.append(("protein_id", f"P{tnum}"))
                extra.append(("level", "2"))
                tx_lines = []
                if rng.random() < 0.7:
                    tx_lines.append(("transcript", exons[0][0], exons[-1][1], ".", base + extra))
                exon_feat = "exon" if rng.random() < 0.9 else rng.choice(["5UTR", "3UTR", "CDS"])
                for n, (s, e) in enumerate(exons, 1):
                    tx_lines.append((exon_feat, s, e, ".", base + [("exon_number", str(n))] + extra))
                if rng.random() < 0.6:
                    # a CDS inside the exons, with frames right, random or missing
                    spliced = [(s, e) for s, e in exons]
                    total = sum(e - s + 1 for s, e in spliced)
                    a = rng.randint(0, max(0, total // 2))
                    b = rng.randint(a + 1, total) if total > a else a
                    order = spliced if strand == "+" else spliced[::-1]
                    done = 0
                    frames_mode = rng.choice(["right", "right", "dot", "random"])
                    for s, e in order:
                        lo, hi = done, done + (e - s + 1)
                        cs, ce = max(a, lo), min(b, hi)
                        if cs < ce:
                            if strand == "+":
                                gs, ge = s + (cs - lo), s + (ce - lo) - 1
                            else:
                                gs, ge = e - (ce - lo) + 1, e - (cs - lo)
                            phase = {"right": str((3 - (cs - a) % 3) % 3), "dot": ".",
                                     "random": rng.choice("012.")}[frames_mode]
                            feat = "CDS" if rng.random() < 0.9 else rng.choice(["start_codon", "stop_codon"])
                            tx_lines.append((feat, gs, ge, phase, base + extra))
                        done = hi
                    if rng.random() < 0.5:
                        s, e = exons[0] if strand == "+" else exons[-1]
                        tx_lines.append(("start_codon", s, min(e, s + 2), "0", base + extra))
                    if rng.random() < 0.5:
                        s, e = exons[-1] if strand == "+" else exons[0]
                        tx_lines.append(("stop_codon", max(s, e - 2), e, "0", base + extra))
                if rng.random() < 0.2:
                    s, e = exons[0]
                    tx_lines.append(("UTR", s, e, ".", base + extra))
                if rng.random() < 0.1:
                    s, e = exons[0]
                    tx_lines.append(("Selenocysteine", s, s, ".", base + extra))
                tx_strand = strand
                for feat, s, e, ph, attrs in tx_lines:
                    st = tx_strand
                    if bad and rng.random() < bad:
                        st = "-" if st == "+" else "+"  # a line on the other strand: an error
                    lines.append((chrom, "src", feat, s, e, st, ph, attrs))
            pos = p + rng.randint(100, 2000)
    rng.shuffle(lines) if rng.random() < 0.5 else None
    text = []
    for chrom, src, feat, s, e, st, ph, attrs in lines:
        attr_text = _attrs(rng, attrs) if feat != "gene" else f'gene_id "{attrs[0][1]}"; gene_type "{attrs[1][1]}";'
        if bad_lines and rng.random() < bad_lines:
            attr_text = attr_text.replace('"', "", 1)  # an unterminated quote
        if bad_lines and rng.random() < bad_lines:
            s = e + 5  # inverted coordinates
        if escapes and rng.random() < escapes:
            attr_text += ' note "back\\\\slash";'  # escapes: the kernel leaves these to Python
        text.append(f"{chrom}\t{src}\t{feat}\t{s}\t{e}\t.\t{st}\t{ph}\t{attr_text}")
    return "\n".join(text) + "\n"


def _run_genepred(path, out, **kw):
    messages = []
    try:
        result = pipeline.gtf_to_genepred(str(path), str(out), report=messages.append, progress=False, **kw)
        return ("ok", out.read_text(), result.errors, messages)
    except FormatError as err:
        return ("error", str(err))


OPTION_SETS = [
    dict(),
    dict(extended=True),
    dict(extended=True, include_version=True),
    dict(extended=True, gene_name_as_name2=True, with_bin=True),
    dict(extended=True, implied_stop_after_cds=True),
    dict(all_errors=True, extended=True),
]


# (transcript damage, line damage, escapes) per seed
DAMAGE = [(0, 0, 0), (0, 0, 0), (0.03, 0, 0), (0.02, 0, 0), (0, 0.005, 0), (0, 0, 0.01), (0.01, 0.002, 0.002),
          (0.05, 0, 0), (0, 0, 0), (0.02, 0, 0.005), (0, 0.01, 0), (0.01, 0, 0)]


@pytest.mark.skipif(KERNEL is None, reason="compiled kernels not built")
@pytest.mark.parametrize("seed", range(12))
def test_genepred_kernel_matches_reference(seed, tmp_path, python_only):
    bad, bad_lines, escapes = DAMAGE[seed]
    src = tmp_path / "in.gtf"
    src.write_text(random_gtf(seed, bad=bad, bad_lines=bad_lines, escapes=escapes))
    results = []
    for opts in OPTION_SETS:
        info = tmp_path / "k.info"
        if info.exists():
            info.unlink()
        results.append(_run_genepred(src, tmp_path / "k.gp", info_out=str(info), **opts)
                       + ((info.read_text() if info.exists() else None),))
    python_only()
    for opts, fast in zip(OPTION_SETS, results):
        info = tmp_path / "p.info"
        if info.exists():
            info.unlink()
        slow = _run_genepred(src, tmp_path / "p.gp", info_out=str(info), **opts) + (
            (info.read_text() if info.exists() else None),)
        assert fast == slow, opts


@pytest.mark.skipif(KERNEL is None, reason="compiled kernels not built")
@pytest.mark.parametrize("seed", range(8))
def test_biggenepred_kernel_matches_reference(seed, tmp_path, python_only):
    src = tmp_path / "in.gtf"
    bad, bad_lines, escapes = DAMAGE[seed]
    src.write_text(random_gtf(100 + seed, bad=bad, bad_lines=bad_lines, escapes=escapes))
    option_sets = [
        onestep.OneStepOptions(),
        onestep.OneStepOptions(tags=["basic", "MANE_Select"], color_by_biotype=True),
        onestep.OneStepOptions(gene_types=["protein_coding"], transcript_types=["protein_coding", "lncRNA"]),
        onestep.OneStepOptions(all_errors=True, color_by_biotype=True),
    ]

    def run(opts, out):
        messages = []
        try:
            r = onestep.gtf_to_biggenepred_text(str(src), str(out), options=opts, report=messages.append,
                                                progress=False)
            return ("ok", out.read_text(), r.transcripts, r.filtered, r.errors, sorted(messages))
        except FormatError as err:
            return ("error", str(err))

    fast = [run(o, tmp_path / f"k{i}.txt") for i, o in enumerate(option_sets)]
    python_only()
    slow = [run(o, tmp_path / f"p{i}.txt") for i, o in enumerate(option_sets)]
    assert fast == slow


@pytest.mark.skipif(KERNEL is None, reason="compiled kernels not built")
def test_kernel_hands_back_unusual_transcripts(tmp_path):
    import numpy as np

    text = (
        'c\ts\texon\t1\t10\t.\t+\t.\tgene_id "g"; transcript_id "ok";\n'
        'c\ts\texon\t1\t10\t.\t+\t.\tgene_id "g"; transcript_id "two";\n'
        'c\ts\texon\t20\t30\t.\t-\t.\tgene_id "g"; transcript_id "two";\n'
        'c\ts\ttranscript\t1\t10\t.\t+\t.\tgene_id "g"; transcript_id "noexon";\n'
    ).encode()
    res = KERNEL.convert_chromosome(text, np.array([0], dtype=np.int64), np.array([1], dtype=np.int64), b"c", 1)
    assert res["status"] == 0
    assert res["names_blob"] == b"ok\ntwo\nnoexon\n"
    assert list(res["flags"]) == [0, 1, 1]
    assert [list(fb[:, 2]) for fb in res["fallback"]] == [[2, 3], [4]]
    assert res["rows"] == b"ok\tc\t+\t0\t10\t10\t10\t1\t0,\t10,\t0\tg\tnone\tnone\t-1,\n"
    bad = text + b"c\ts\texon\t5\t1\t.\t+\t.\tgene_id \"g\"; transcript_id \"x\";\n"
    res = KERNEL.convert_chromosome(bad, np.array([0], dtype=np.int64), np.array([1], dtype=np.int64), b"c", 1)
    assert res["status"] == 1


@pytest.mark.skipif(KERNEL is None, reason="compiled kernels not built")
def test_scan_runs_matches_python_partition(tmp_path, python_only):
    from trackpack.genes.partition import Partition

    text = "#c\n" + random_gtf(7) + "\n#x\n" + random_gtf(8) + "last\tline"
    src = tmp_path / "x.gtf"
    src.write_text(text)

    def snapshot():
        seen = []
        with Partition(str(src), on_comment=lambda n, raw: seen.append((n, raw)), progress=False) as p:
            return p.names, [p.runs(n) for n in p.names], [list(p.lines(n)) for n in p.names], seen, p.lines_read

    fast = snapshot()
    python_only()
    slow = snapshot()
    assert fast == slow
    assert fast[3][0] == (1, b"#c\n")


@pytest.mark.skipif(KERNEL is None, reason="compiled kernels not built")
def test_transcript_on_two_sequences_found_across_kernel_and_python_paths(tmp_path):
    import numpy as np

    from trackpack.genes.fastgtf import fnv1a

    # chr1 goes to the Python reference (a backslash escape), chr2 to the kernel
    src = tmp_path / "mix.gtf"
    src.write_text(
        'chr1\ts\texon\t1\t100\t.\t+\t.\tgene_id "g"; transcript_id "t1"; note "a\\\\b";\n'
        'chr2\ts\texon\t1\t100\t.\t+\t.\tgene_id "g"; transcript_id "t1";\n'
        'chr2\ts\texon\t1\t100\t.\t+\t.\tgene_id "g"; transcript_id "t2";\n'
    )
    with pytest.raises(FormatError, match="mix.gtf:2: transcript t1 has lines on chr1 and on chr2"):
        onestep.gtf_to_biggenepred_text(str(src), str(tmp_path / "o"), progress=False)
    res = KERNEL.convert_chromosome(b'c\ts\texon\t1\t9\t.\t+\t.\tgene_id "g"; transcript_id "abc";\n',
                                    np.array([0], dtype=np.int64), np.array([1], dtype=np.int64), b"c", 2)
    assert res["names_blob"] == b"abc\n"
    assert int(res["name_hash"][0]) == fnv1a(b"abc")
