"""Gene annotation tools: gtfToGenePred, gff3ToGenePred, genePredToBed,
genePredToBigGenePred (kent-compatible) and gtfToBigBed (trackpack's one-step converter).

Argument parsing only; the work is done by :mod:`trackpack.genes`.
"""
from __future__ import annotations

import sys
from typing import List

from ..errors import UsageError
from ..genes import gff3 as gff3mod
from ..genes import pipeline
from .options import MULTI, parse_args

__all__ = [
    "gtf_to_gene_pred",
    "gff3_to_gene_pred",
    "gene_pred_to_bed",
    "gene_pred_to_big_gene_pred",
    "gtf_to_big_bed",
]


def _print_err(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def _status(errors: int) -> int:
    """Exit status after a run that reported ``errors`` problems and went on (-allErrors):
    kent's closing "N errors" line and 255."""
    if errors:
        _print_err(f"{errors} errors")
        return 255
    return 0


GTF_TO_GENEPRED_USAGE = """\
gtfToGenePred - convert a GTF file to a genePred
usage:
   gtfToGenePred gtf genePred

options:
     -genePredExt - write an extended genePred, with frames, name2 (gene) and
      CDS status columns
     -allErrors - report transcripts with errors and skip them instead of
      stopping at the first one; the exit status is still an error
     -ignoreGroupsWithoutExons - skip transcripts that have no exon lines instead
      of reporting them as errors
     -infoOut=file - write a table with information on each transcript
     -sourcePrefix=pre - only convert transcripts whose source (column 2) starts
      with this prefix.  May be repeated.
     -impliedStopAfterCds - the stop codon is not part of the CDS lines and
      follows them
     -simple - only check that the lines parse; write no transcripts
     -geneNameAsName2 - use gene_name rather than gene_id for the name2 column
     -includeVersion - add gene_version / transcript_version to the identifiers
      when the attributes give them
     -bin - put the UCSC bin column first, as in database tables (trackpack)
     -q - no progress display (trackpack)
Input may be gzip-compressed; the lines of a transcript may be anywhere in the file.
"""


def gtf_to_gene_pred(argv: List[str]) -> int:
    """trackpack gtfToGenePred in.gtf out.gp"""
    p = parse_args(
        argv,
        {
            "genePredExt": bool,
            "allErrors": bool,
            "ignoreGroupsWithoutExons": bool,
            "infoOut": str,
            "sourcePrefix": MULTI,
            "impliedStopAfterCds": bool,
            "simple": bool,
            "geneNameAsName2": bool,
            "includeVersion": bool,
            "bin": bool,
        },
        GTF_TO_GENEPRED_USAGE,
        nargs=2,
    )
    result = pipeline.gtf_to_genepred(
        p.args[0],
        p.args[1],
        info_out=p.get("infoOut"),
        extended=p.flag("genePredExt"),
        include_version=p.flag("includeVersion"),
        gene_name_as_name2=p.flag("geneNameAsName2"),
        ignore_groups_without_exons=p.flag("ignoreGroupsWithoutExons"),
        implied_stop_after_cds=p.flag("impliedStopAfterCds"),
        source_prefixes=p.get("sourcePrefix", []),
        all_errors=p.flag("allErrors"),
        simple=p.flag("simple"),
        with_bin=p.flag("bin"),
        report=_print_err,
        progress=p.progress,
    )
    return _status(result.errors)


GFF3_TO_GENEPRED_USAGE = """\
gff3ToGenePred - convert a GFF3 file to a genePred file
usage:
   gff3ToGenePred inGff3 outGp
options:
  -warnAndContinue - report bad transcripts as warnings, skip them and go on
  -useName - take name2 from the gene's Name attribute rather than its ID
  -rnaNameAttr=attr - take the genePred name from this attribute of the RNA
   record when it has it
  -geneNameAttr=attr - take the genePred name2 from this attribute of the gene
   record when it has it
  -attrsOut=file - write the attributes of each converted RNA (and gene) record,
   one per row: name, attribute, values
  -processAllGeneChildren - convert every child of a gene, whatever its type
  -unprocessedRootsOut=file - write the top-level records that gave no genePred
  -bad=file - write the genePreds that fail the consistency checks
  -maxParseErrors=50 - stop after this many parse errors (negative: no limit)
  -maxConvertErrors=50 - stop after this many conversion errors (negative: no
   limit)
  -honorStartStopCodons - CDS start/end are complete only where there is a
   start_codon / stop_codon record
  -defaultCdsStatusToUnknown - CDS status is unknown rather than complete
  -allowMinimalGenes - also convert genes whose exons are direct children, and
   genes with no children at all
  -refseqHacks - RefSeq conventions: implies -useName, -allowMinimalGenes and
   -processAllGeneChildren, and names genes with a single CDS after its protein
  -bin - put the UCSC bin column first, as in database tables (trackpack)
  -q - no progress display (trackpack)

Converts genes with RNA or transcript children, and RNA or transcript records
on their own, whose exons are exon records, or CDS and UTR records.  The input
must follow the GFF3 specification (https://github.com/The-Sequence-Ontology/Specifications).
Input may be gzip-compressed.  The file is read one sequence at a time: a record's
parents must be on its sequence.
"""


def gff3_to_gene_pred(argv: List[str]) -> int:
    """trackpack gff3ToGenePred in.gff3 out.gp"""
    p = parse_args(
        argv,
        {
            "maxParseErrors": int,
            "maxConvertErrors": int,
            "warnAndContinue": bool,
            "useName": bool,
            "rnaNameAttr": str,
            "geneNameAttr": str,
            "honorStartStopCodons": bool,
            "defaultCdsStatusToUnknown": bool,
            "allowMinimalGenes": bool,
            "attrsOut": str,
            "bad": str,
            "processAllGeneChildren": bool,
            "refseqHacks": bool,
            "unprocessedRootsOut": str,
            "bin": bool,
        },
        GFF3_TO_GENEPRED_USAGE,
        nargs=2,
    )
    opts = gff3mod.Gff3Options(
        rna_name_attr=p.get("rnaNameAttr"),
        gene_name_attr=p.get("geneNameAttr"),
        use_name=p.flag("useName"),
        honor_start_stop_codons=p.flag("honorStartStopCodons"),
        default_cds_status_unknown=p.flag("defaultCdsStatusToUnknown"),
        allow_minimal_genes=p.flag("allowMinimalGenes"),
        process_all_gene_children=p.flag("processAllGeneChildren"),
        refseq_hacks=p.flag("refseqHacks"),
        warn_and_continue=p.flag("warnAndContinue"),
        max_convert_errors=p.get("maxConvertErrors", 50),
    )
    try:
        pipeline.gff3_to_genepred(
            p.args[0],
            p.args[1],
            attrs_out=p.get("attrsOut"),
            unprocessed_roots_out=p.get("unprocessedRootsOut"),
            bad_out=p.get("bad"),
            options=opts,
            max_parse_errors=p.get("maxParseErrors", 50),
            with_bin=p.flag("bin"),
            report=_print_err,
            progress=p.progress,
        )
    except (pipeline.ConversionError, gff3mod.Gff3ParseError) as err:
        # kent's summary lines, as kent prints them (the details were reported already)
        _print_err(str(err))
        return 255
    return 0


GENEPRED_TO_BED_USAGE = """\
genePredToBed - convert genePred to BED12
usage:
   genePredToBed in.genePred out.bed
options:
   -bin - put the UCSC bin column first, as in database tables (trackpack)
Only the first ten genePred columns are used; extra columns are ignored.
"""


def gene_pred_to_bed(argv: List[str]) -> int:
    """trackpack genePredToBed in.gp out.bed"""
    p = parse_args(argv, {"bin": bool}, GENEPRED_TO_BED_USAGE, nargs=2)
    pipeline.genepred_to_bed(p.args[0], p.args[1], with_bin=p.flag("bin"))
    return 0


GENEPRED_TO_BIGGENEPRED_USAGE = """\
genePredToBigGenePred - convert genePred or genePredExt to bigGenePred input (BED with extra columns)
usage:
  genePredToBigGenePred [-score=scores] [-geneNames=geneNames] [-colors=colors] file.gp stdout | sort -k1,1 -k2,2n > file.bgpInput
to build the bigBed (or use 'trackpack gtfToBigBed' for GTF/GFF3 in one step):
   bedToBigBed -type=bed12+8 -tab -as=bigGenePred.as file.bgpInput chrom.sizes output.bb
options:
    -score=scores         two-column file: id, score
    -geneNames=geneNames  three-column file: id, geneName, geneName2
    -colors=colors        four-column file: id, r, g, b
    -cds=cds              five-column file: id, cdsStartStat, cdsEndStat, exonCount,
                          exonFrames (as knownCds.as), used when the genePred has no frames
    -geneType=geneTypes   two-column file: id, geneType (trackpack)
    -known                input is knownGene format (not supported by trackpack)
"""


def gene_pred_to_big_gene_pred(argv: List[str]) -> int:
    """trackpack genePredToBigGenePred in.gp out.txt"""
    p = parse_args(
        argv,
        {"known": bool, "score": str, "geneNames": str, "colors": str, "cds": str, "geneType": str},
        GENEPRED_TO_BIGGENEPRED_USAGE,
        nargs=2,
    )
    if p.flag("known"):
        raise UsageError("-known (knownGene input) is not supported by trackpack's genePredToBigGenePred")
    pipeline.genepred_to_biggenepred(
        p.args[0],
        p.args[1],
        scores=p.get("score"),
        gene_names=p.get("geneNames"),
        colors=p.get("colors"),
        cds=p.get("cds"),
        gene_types=p.get("geneType"),
    )
    return 0


GTF_TO_BIGBED_USAGE = """\
gtfToBigBed - convert a GTF or GFF3 gene annotation into a bigGenePred bigBed, in one step
usage:
   gtfToBigBed in.gtf[.gz] chrom.sizes out.bb
The result is what kent's
   gtfToGenePred -genePredExt in.gtf stdout | genePredToBigGenePred stdin stdout | sort -k1,1 -k2,2n |
   bedToBigBed -type=bed12+8 -tab -as=bigGenePred.as -extraIndex=name,geneName stdin chrom.sizes out.bb
gives (gff3ToGenePred for GFF3), with the last four columns filled from the annotation:
type = transcript_type (or transcript_biotype), geneName = gene_name, geneName2 = gene_id,
geneType = gene_type (or gene_biotype).  The bigBed is searchable by transcript id (name)
and gene symbol (geneName).
options:
   -gff3 - the input is GFF3 (default: detected from the first line)
   -tags=basic,MANE_Select - keep only transcripts carrying any of these tags
   -geneTypes=a,b - keep only transcripts of genes of these types
   -transcriptTypes=a,b - keep only transcripts of these types
   -colorByBiotype - color items by biotype: coding dark blue, non-coding green,
    pseudogene pink
   -allErrors - report transcripts with errors and skip them (exit status still an error)
   -sizesIs2Bit - chrom.sizes is a .2bit file whose sequence sizes are used
   -unc - do not compress the data blocks
   -blockSize=256 - items per R-tree / B+ tree node (as bedToBigBed)
   -itemsPerSlot=512 - items per data block (as bedToBigBed)
   -q - no progress display
"""


def gtf_to_big_bed(argv: List[str]) -> int:
    """trackpack gtfToBigBed in.gtf chrom.sizes out.bb"""
    from ..genes import onestep

    p = parse_args(
        argv,
        {
            "gff3": bool,
            "tags": str,
            "geneTypes": str,
            "transcriptTypes": str,
            "colorByBiotype": bool,
            "allErrors": bool,
            "sizesIs2Bit": bool,
            "unc": bool,
            "blockSize": int,
            "itemsPerSlot": int,
        },
        GTF_TO_BIGBED_USAGE,
        nargs=3,
    )

    def split(name):
        value = p.get(name)
        return tuple(v for v in value.split(",") if v) if value else None

    result = onestep.gtf_to_bigbed(
        p.args[0],
        p.args[1],
        p.args[2],
        gff3=True if p.flag("gff3") else None,
        tags=split("tags"),
        gene_types=split("geneTypes"),
        transcript_types=split("transcriptTypes"),
        color_by_biotype=p.flag("colorByBiotype"),
        all_errors=p.flag("allErrors"),
        sizes_is_2bit=p.flag("sizesIs2Bit"),
        compress=not p.flag("unc"),
        block_size=p.get("blockSize", 256),
        items_per_slot=p.get("itemsPerSlot", 512),
        report=_print_err,
        progress=p.progress,
    )
    return _status(result.errors)
