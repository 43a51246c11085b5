"""trackpack.genes.biggenepred: bigGenePred rows, schema and colors."""
import common
from trackpack.autosql import parse_autosql
from trackpack.genes import biggenepred as bgp
from trackpack.genes.genepred import FIELDS_ALL, FIELDS_BASIC, GenePred


def _gp(**kw):
    base = dict(name="tx1", chrom="chr1", strand="-", tx_start=100, tx_end=1000, cds_start=200, cds_end=900,
                exon_starts=[100, 500], exon_ends=[300, 1000], name2="g1", cds_start_stat="cmpl",
                cds_end_stat="incmpl", exon_frames=[2, 0], fields=FIELDS_ALL)
    base.update(kw)
    return GenePred(**base)


def test_row_like_kent_genepred_to_biggenepred():
    # kent: score 0, itemRgb 0, blocks relative to txStart, geneName = name, geneName2 = name2
    assert bgp.format_biggenepred(_gp()) == (
        "chr1\t100\t1000\ttx1\t0\t-\t200\t900\t0\t2\t200,500,\t0,400,\tg1\tcmpl\tincmpl\t2,0,\t\ttx1\tg1\t\n"
    )


def test_frames_computed_for_plain_genepred():
    gp = _gp(fields=FIELDS_BASIC, exon_frames=None, name2="")
    fields = bgp.biggenepred_fields(gp)
    assert fields[15] == ",".join(str(f) for f in gp.frames_from_cds()) + ","
    assert fields[13:15] == ("cmpl", "incmpl")  # statuses kept as given


def test_extras_fill_the_last_columns():
    x = bgp.BigGenePredExtras(score=5, item_rgb="1,2,3", type="protein_coding", gene_name="GENE",
                              gene_name2="ENSG1", gene_type="protein_coding")
    fields = bgp.biggenepred_fields(_gp(), x)
    assert fields[4] == "5" and fields[8] == "1,2,3"
    assert fields[16:] == ("protein_coding", "GENE", "ENSG1", "protein_coding")
    assert len(fields) == bgp.FIELD_COUNT


def test_shipped_autosql_is_kents():
    shipped = bgp.autosql_text()
    assert shipped == common.corpus("ucscGenomeBrowser+kent-core/src/hg/lib/bigGenePred.as").read_text()
    names = parse_autosql(shipped).field_names
    assert len(names) == 20 and names[-4:] == ["type", "geneName", "geneName2", "geneType"]
    assert set(bgp.EXTRA_INDEX) <= set(names)


def test_biotype_colors():
    c = bgp.BIOTYPE_COLORS
    assert bgp.biotype_color("protein_coding", "protein_coding", True) == c["coding"]
    assert bgp.biotype_color("nonsense_mediated_decay", "protein_coding", True) == c["coding"]
    assert bgp.biotype_color("lncRNA", "lncRNA", False) == c["noncoding"]
    assert bgp.biotype_color("retained_intron", "protein_coding", False) == c["noncoding"]
    assert bgp.biotype_color("processed_pseudogene", "processed_pseudogene", False) == c["pseudogene"]
    assert bgp.biotype_color("polymorphic_pseudogene", "polymorphic_pseudogene", True) == c["coding"]
    assert bgp.biotype_color("", "", True) == c["coding"]
    assert bgp.biotype_color("", "unitary_pseudogene", False) == c["pseudogene"]
    assert bgp.biotype_color("", "", False) == c["noncoding"]
