"""bigGenePred: the bed12+8 format of UCSC gene tracks, built from genePreds.

Columns: the twelve of BED12 (itemRgb holds the color), then ``name2 cdsStartStat
cdsEndStat exonFrames type geneName geneName2 geneType``.  The schema is kent's standard
``bigGenePred.as``, shipped with trackpack (:func:`autosql_text`).

:func:`format_biggenepred` writes a row exactly as kent's ``genePredToBigGenePred`` does;
:func:`biotype_color` gives the GENCODE-style colors (coding, non-coding, pseudogene).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Optional, Tuple

from .genepred import FIELDS_ALL, GenePred

__all__ = [
    "AUTOSQL_NAME",
    "FIELD_COUNT",
    "BED_TYPE",
    "EXTRA_INDEX",
    "BigGenePredExtras",
    "autosql_text",
    "format_biggenepred",
    "biggenepred_fields",
    "biotype_color",
    "coding_types",
    "BIOTYPE_COLORS",
]

#: file name of the shipped schema inside this package
AUTOSQL_NAME = "bigGenePred.as"
#: number of columns of a bigGenePred row
FIELD_COUNT = 20
#: bedToBigBed -type of a bigGenePred
BED_TYPE = "bed12+8"
#: the extra indexes gene tracks carry: search by transcript id or by gene symbol
EXTRA_INDEX = ("name", "geneName")

#: itemRgb per biotype class, as GENCODE tracks color them
BIOTYPE_COLORS = {
    "coding": "12,12,120",
    "noncoding": "0,153,0",
    "pseudogene": "255,51,255",
}

_CODING_TYPES = frozenset({
    "protein_coding", "mRNA", "nonsense_mediated_decay", "non_stop_decay", "polymorphic_pseudogene",
    "IG_C_gene", "IG_D_gene", "IG_J_gene", "IG_V_gene", "TR_C_gene", "TR_D_gene", "TR_J_gene",
    "TR_V_gene", "protein_coding_LoF",
})


def coding_types() -> Tuple[str, ...]:
    """Transcript types that count as coding for :func:`biotype_color`."""
    return tuple(sorted(_CODING_TYPES))


@lru_cache(maxsize=1)
def autosql_text() -> str:
    """The standard bigGenePred autoSql (kent's src/hg/lib/bigGenePred.as)."""
    return resources.files(__package__).joinpath(AUTOSQL_NAME).read_text(encoding="utf-8")


@dataclass
class BigGenePredExtras:
    """The columns a genePred does not have."""

    score: int = 0
    item_rgb: str = "0"
    type: str = ""
    gene_name: Optional[str] = None  # None: kent's default, the genePred name
    gene_name2: Optional[str] = None  # None: kent's default, the genePred name2
    gene_type: str = ""


def biggenepred_fields(gp: GenePred, extras: Optional[BigGenePredExtras] = None) -> Tuple[str, ...]:
    """The 20 text columns of the bigGenePred row of ``gp``.

    Without extras this is kent's genePredToBigGenePred: score 0, itemRgb 0, geneName =
    name, geneName2 = name2, type and geneType empty.  Frames missing from the genePred are
    computed from the CDS, as kent does.
    """
    x = extras if extras is not None else BigGenePredExtras()
    frames = gp.exon_frames if gp.exon_frames is not None and gp.fields >= FIELDS_ALL else gp.frames_from_cds()
    starts = gp.exon_starts
    ends = gp.exon_ends
    tx_start = gp.tx_start
    sizes = "".join(f"{e - s}," for s, e in zip(starts, ends))
    rel = "".join(f"{s - tx_start}," for s in starts)
    frame_text = "".join(f"{f}," for f in frames)
    name2 = gp.name2 or ""
    return (
        gp.chrom,
        str(tx_start),
        str(gp.tx_end),
        gp.name,
        str(x.score),
        gp.strand,
        str(gp.cds_start),
        str(gp.cds_end),
        x.item_rgb,
        str(len(starts)),
        sizes,
        rel,
        name2,
        gp.cds_start_stat,
        gp.cds_end_stat,
        frame_text,
        x.type,
        gp.name if x.gene_name is None else x.gene_name,
        name2 if x.gene_name2 is None else x.gene_name2,
        x.gene_type,
    )


def format_biggenepred(gp: GenePred, extras: Optional[BigGenePredExtras] = None) -> str:
    """The bigGenePred row of ``gp`` as a text line (with newline)."""
    return "\t".join(biggenepred_fields(gp, extras)) + "\n"


def biotype_color(transcript_type: str, gene_type: str, has_cds: bool) -> str:
    """itemRgb for a transcript: coding (dark blue), non-coding (green), pseudogene (pink).

    Pseudogenes are recognized by their type (transcript or gene) containing
    "pseudogene" (except polymorphic pseudogenes, which code); coding transcripts by a
    coding type or, when the annotation gives no type, by having a CDS.
    """
    t = transcript_type or gene_type
    if "pseudogene" in t and t != "polymorphic_pseudogene":
        return BIOTYPE_COLORS["pseudogene"]
    if t in _CODING_TYPES or (not t and has_cds):
        return BIOTYPE_COLORS["coding"]
    if not t and "pseudogene" in gene_type:
        return BIOTYPE_COLORS["pseudogene"]
    return BIOTYPE_COLORS["noncoding"]
