"""Gene annotation tracks: GTF / GFF3 -> genePred -> BED12 / bigGenePred bigBed.

Step by step, as kent's tools (same rules, same output bytes):

- :func:`gtf_to_genepred` (gtfToGenePred), :func:`gff3_to_genepred` (gff3ToGenePred),
- :func:`genepred_to_bed` (genePredToBed), :func:`genepred_to_biggenepred`
  (genePredToBigGenePred);

or in one step, :func:`gtf_to_bigbed`: a bigGenePred bigBed with the annotation's
transcript type, gene name, gene id and gene type in its last four columns, searchable by
transcript id and gene symbol.  Inputs may be plain or gzip; the lines of a transcript may
be anywhere in the file; memory stays at about one chromosome's worth of lines.

Modules: :mod:`.gtf` and :mod:`.gff3` (the formats and kent's rules), :mod:`.genepred`
(rows, text, BED12), :mod:`.biggenepred` (rows, schema, colors), :mod:`.partition`
(reading by chromosome), :mod:`.pipeline` (step tools), :mod:`.onestep` (one step),
:mod:`.fastgtf` (the compiled fast path), :mod:`.textio` (lines in, text out, messages).
"""
from __future__ import annotations

import importlib
from typing import Any

_LAZY = {
    "GenePred": "genepred",
    "read_genepreds": "genepred",
    "gtf_to_genepred": "pipeline",
    "gff3_to_genepred": "pipeline",
    "genepred_to_bed": "pipeline",
    "genepred_to_biggenepred": "pipeline",
    "gtf_to_bigbed": "onestep",
    "gtf_to_biggenepred_text": "onestep",
    "OneStepOptions": "onestep",
}

__all__ = sorted(_LAZY)


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'trackpack.genes' has no attribute '{name}'")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list:
    return sorted(set(globals()) | set(_LAZY))
