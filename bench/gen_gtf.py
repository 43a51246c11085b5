"""Generate GENCODE-shaped gene annotations (GTF or GFF3) for benchmarks and tests.

The shape follows GENCODE's GTF: per gene a ``gene`` line, then per transcript a
``transcript`` line followed by its ``exon``, ``CDS``, ``start_codon``, ``stop_codon`` and
``UTR`` lines (coding transcripts), with GENCODE's long attribute strings (gene_id,
transcript_id, gene_type, gene_name, transcript_type, transcript_name, level, tags,
havana ids, ...).  Genes have 1-4 transcripts of 1-12 exons; about half of the
transcripts code, with correct phases, stop codons outside the CDS and split across exons
when an exon boundary falls inside them.

    python bench/gen_gtf.py out.gtf [--lines 1400000] [--seed 1] [--gff3] [--shuffle]

``--shuffle`` scatters the lines of each chromosome in random order (a transcript's
lines "anywhere in the file"); chromosome sizes go to ``out.gtf.sizes``.
"""
from __future__ import annotations

import argparse
import gzip
import random
from pathlib import Path
from typing import List, Optional, Sequence, TextIO, Tuple

#: hg38-like chromosome sizes (in Mb) for the generated genome
CHROMS: Sequence[Tuple[str, int]] = (
    ("chr1", 248), ("chr2", 242), ("chr3", 198), ("chr4", 190), ("chr5", 181), ("chr6", 171),
    ("chr7", 159), ("chr8", 145), ("chr9", 138), ("chr10", 134), ("chr11", 135), ("chr12", 133),
    ("chr13", 114), ("chr14", 107), ("chr15", 102), ("chr16", 90), ("chr17", 83), ("chr18", 80),
    ("chr19", 59), ("chr20", 64), ("chr21", 47), ("chr22", 51), ("chrX", 156), ("chrY", 57), ("chrM", 1),
)

GENE_TYPES = (
    ("protein_coding", 0.45), ("lncRNA", 0.3), ("processed_pseudogene", 0.1),
    ("unprocessed_pseudogene", 0.05), ("misc_RNA", 0.04), ("snRNA", 0.03), ("TEC", 0.03),
)
CODING_TX_TYPES = ("protein_coding", "nonsense_mediated_decay", "retained_intron", "processed_transcript")
TAGS = ("basic", "Ensembl_canonical", "MANE_Select", "CCDS", "appris_principal_1", "GENCODE_Primary",
        "mRNA_start_NF", "cds_start_NF", "alternative_5_UTR")


class _Writer:
    def __init__(self, fmt: str) -> None:
        self.fmt = fmt

    def attrs(self, pairs: Sequence[Tuple[str, str, bool]]) -> str:
        if self.fmt == "gtf":
            return " ".join(f'{k} "{v}";' if quoted else f"{k} {v};" for k, v, quoted in pairs)
        merged: List[Tuple[str, List[str]]] = []
        for k, v, _ in pairs:
            for existing in merged:
                if existing[0] == k:
                    existing[1].append(v)
                    break
            else:
                merged.append((k, [v]))
        return ";".join(f"{k}={','.join(vs)}" for k, vs in merged)


def _pick(rng: random.Random, weighted) -> str:
    r = rng.random()
    acc = 0.0
    for name, w in weighted:
        acc += w
        if r < acc:
            return name
    return weighted[-1][0]


def _gene_lines(rng: random.Random, w: _Writer, chrom: str, gene_start: int, gnum: int) -> Tuple[List[str], int]:
    """Lines of one gene starting at ``gene_start`` (1-based); returns (lines, gene end)."""
    strand = rng.choice("+-")
    gtype = _pick(rng, GENE_TYPES)
    coding_gene = gtype == "protein_coding"
    gene_id = f"ENSG{gnum:011d}.{rng.randint(1, 20)}"
    gene_name = f"GENE{gnum}" if rng.random() < 0.9 else f"ENSG{gnum:011d}"
    level = rng.choice("123")
    havana_gene = f"OTTHUMG{gnum:011d}.{rng.randint(1, 5)}"
    ntx = rng.randint(1, 4)
    # a pool of exons for the gene, transcripts take ordered subsets
    n_pool = rng.randint(1, 12)
    pos = gene_start
    pool = []
    for _ in range(n_pool):
        size = rng.randint(60, 600)
        pool.append((pos, pos + size - 1))
        pos += size + rng.randint(200, 8000)
    gene_end = pool[-1][1]
    gene_pairs = [("gene_id", gene_id, True), ("gene_type", gtype, True), ("gene_name", gene_name, True),
                  ("level", level, False), ("havana_gene", havana_gene, True)]
    out = [f"{chrom}\tHAVANA\tgene\t{gene_start}\t{gene_end}\t.\t{strand}\t.\t{w.attrs(gene_pairs)}"]
    for t in range(ntx):
        tnum = gnum * 10 + t
        tx_id = f"ENST{tnum:011d}.{rng.randint(1, 9)}"
        tx_name = f"{gene_name}-{201 + t}"
        if len(pool) > 1:
            k = rng.randint(1, len(pool))
            idx = sorted(rng.sample(range(len(pool)), k))
            exons = [pool[i] for i in idx]
        else:
            exons = list(pool)
        # jitter the outer ends
        first = (exons[0][0] + rng.randint(0, 20), exons[0][1])
        exons[0] = first if first[0] < first[1] else exons[0]
        last = (exons[-1][0], exons[-1][1] - rng.randint(0, 20))
        exons[-1] = last if last[0] < last[1] else exons[-1]
        coding = coding_gene and rng.random() < 0.8
        ttype = rng.choice(CODING_TX_TYPES) if coding else gtype
        tags = []
        for tag in TAGS:
            if rng.random() < 0.2:
                tags.append(tag)
        base = [("gene_id", gene_id, True), ("transcript_id", tx_id, True), ("gene_type", gtype, True),
                ("gene_name", gene_name, True), ("transcript_type", ttype, True)]
        tx_base = base + [("transcript_name", tx_name, True)]
        short_tail = [("level", level, False)]
        protein = [("protein_id", f"ENSP{tnum:011d}.{rng.randint(1, 9)}", True)] if coding else []
        tail = short_tail + [("tag", tag, True) for tag in tags]
        tx_tail = protein + tail + [("transcript_support_level", rng.choice("12345"), True), ("havana_gene", havana_gene, True), ("havana_transcript", f"OTTHUMT{tnum:011d}.1", True)]
        tx_start, tx_end = exons[0][0], exons[-1][1]
        out.append(f"{chrom}\tHAVANA\ttranscript\t{tx_start}\t{tx_end}\t.\t{strand}\t.\t{w.attrs(tx_base + tx_tail)}")
        cds = None
        if coding:
            total = sum(e - s + 1 for s, e in exons)
            if total >= 60:
                # CDS start/end as offsets into the spliced transcript (transcription order)
                c0 = rng.randint(0, max(0, total // 3))
                codons = max(1, (total - c0 - 3) // 3 - rng.randint(0, max(0, (total - c0) // 9)))
                c1 = c0 + codons * 3  # CDS end (exclusive); stop codon follows
                if c1 + 3 <= total:
                    cds = (c0, c1)
        order = exons if strand == "+" else exons[::-1]
        spliced = 0
        for n, (s, e) in enumerate(order, 1):
            ex = base + [("exon_number", str(n), False), ("exon_id", f"ENSE{tnum:09d}{n:02d}.1", True)] + tail
            out.append(f"{chrom}\tHAVANA\texon\t{s}\t{e}\t.\t{strand}\t.\t{w.attrs(ex)}")
            if cds is None:
                continue
            size = e - s + 1
            lo, hi = spliced, spliced + size  # this exon's spliced interval
            feats = []
            for feat, a, b in (("CDS", cds[0], cds[1]), ("start_codon", cds[0], cds[0] + 3),
                               ("stop_codon", cds[1], cds[1] + 3)):
                a2, b2 = max(a, lo), min(b, hi)
                if a2 < b2:
                    feats.append((feat, a2, b2, a))
            for feat, a2, b2, a in feats:
                gs, ge = _genomic(s, e, strand, a2 - lo, b2 - lo)
                if feat == "CDS":
                    phase = (3 - ((a2 - a) % 3)) % 3
                else:
                    phase = (3 - ((a2 - a) % 3)) % 3
                attrs = base + [("exon_number", str(n), False), ("exon_id", f"ENSE{tnum:09d}{n:02d}.1", True)] + protein + short_tail
                out.append(f"{chrom}\tHAVANA\t{feat}\t{gs}\t{ge}\t.\t{strand}\t{phase}\t{w.attrs(attrs)}")
            # UTR: exonic parts outside CDS + stop codon
            for a, b in ((lo, min(hi, cds[0])), (max(lo, cds[1] + 3), hi)):
                if a < b:
                    gs, ge = _genomic(s, e, strand, a - lo, b - lo)
                    attrs = base + [("exon_number", str(n), False), ("exon_id", f"ENSE{tnum:09d}{n:02d}.1", True)] + short_tail
                    out.append(f"{chrom}\tHAVANA\tUTR\t{gs}\t{ge}\t.\t{strand}\t.\t{w.attrs(attrs)}")
            spliced += size
    return out, gene_end


def _genomic(s: int, e: int, strand: str, a: int, b: int) -> Tuple[int, int]:
    """1-based inclusive genomic range of spliced offsets [a, b) within exon s..e."""
    if strand == "+":
        return s + a, s + b - 1
    return e - b + 1, e - a


def _to_gff3(lines: List[str]) -> List[str]:
    """Turn a gene's lines (written with GFF3 attributes) into GENCODE-style GFF3 records."""
    cds_start = {}
    for line in lines:
        cols = line.split("\t")
        if cols[2] == "CDS":
            tid = cols[8].split("transcript_id=", 1)[1].split(";", 1)[0]
            lo = int(cols[3])
            cds_start[tid] = min(cds_start.get(tid, lo), lo)
    out = []
    for line in lines:
        cols = line.split("\t")
        attrs = cols[8]
        feat = cols[2]
        gid = attrs.split("gene_id=", 1)[1].split(";", 1)[0]
        if feat == "gene":
            pre = f"ID={gid}"
        else:
            tid = attrs.split("transcript_id=", 1)[1].split(";", 1)[0]
            if feat == "transcript":
                pre = f"ID={tid};Parent={gid}"
            elif feat == "exon":
                num = attrs.split("exon_number=", 1)[1].split(";", 1)[0]
                pre = f"ID=exon:{tid}:{num};Parent={tid}"
            else:
                if feat == "UTR":
                    before = int(cols[3]) < cds_start.get(tid, 0)
                    five = before if cols[6] == "+" else not before
                    cols[2] = "five_prime_UTR" if five else "three_prime_UTR"
                    prefix = "UTR5" if five else "UTR3"
                else:
                    prefix = feat
                # GENCODE gives all parts of a transcript's CDS (UTR, codon) one shared ID
                pre = f"ID={prefix}:{tid};Parent={tid}"
        cols[8] = pre + ";" + attrs
        out.append("\t".join(cols))
    return out


def generate(out: TextIO, *, lines: int = 1_400_000, seed: int = 1, gff3: bool = False,
             shuffle: bool = False, chroms: Sequence[Tuple[str, int]] = CHROMS) -> List[Tuple[str, int]]:
    """Write about ``lines`` annotation lines to ``out``; returns the chromosome sizes used."""
    rng = random.Random(seed)
    w = _Writer("gff3" if gff3 else "gtf")
    total_mb = sum(mb for _, mb in chroms)
    if gff3:
        out.write("##gff-version 3\n")
    else:
        out.write("##description: generated GENCODE-shaped annotation (trackpack bench)\n")
    sizes = []
    written = 0
    gnum = 1
    for chrom, mb in chroms:
        size = mb * 1_000_000
        sizes.append((chrom, size))
        quota = max(1, int(lines * mb / total_mb))
        chrom_lines: List[str] = []
        pos = 10_000
        while len(chrom_lines) < quota and pos < size - 200_000:
            gl, end = _gene_lines(rng, w, chrom, pos, gnum)
            if end >= size - 1000:
                break
            gnum += 1
            chrom_lines.extend(_to_gff3(gl) if gff3 else gl)
            pos = end + rng.randint(1000, max(2000, int(size / max(quota / 12, 1)) - 60_000))
        if shuffle:
            rng.shuffle(chrom_lines)
        out.write("\n".join(chrom_lines))
        if chrom_lines:
            out.write("\n")
        written += len(chrom_lines)
        if written >= lines:
            break
    return sizes


def write(path, *, sizes_path=None, **kwargs) -> List[Tuple[str, int]]:
    """Generate into ``path`` (gzip when it ends with .gz); chrom sizes to ``sizes_path``."""
    path = Path(path)
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "wt", encoding="ascii", newline="\n") as f:  # type: ignore[operator]
        sizes = generate(f, **kwargs)
    if sizes_path is not None:
        with open(sizes_path, "w") as f:
            f.writelines(f"{c}\t{s}\n" for c, s in sizes)
    return sizes


def main(argv: Optional[List[str]] = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--lines", type=int, default=1_400_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--gff3", action="store_true")
    ap.add_argument("--shuffle", action="store_true")
    args = ap.parse_args(argv)
    write(args.out, sizes_path=args.out + ".sizes", lines=args.lines, seed=args.seed, gff3=args.gff3,
          shuffle=args.shuffle)


if __name__ == "__main__":
    main()
