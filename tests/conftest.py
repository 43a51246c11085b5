"""pytest configuration: report where the corpus was found and whether skips are failures."""
import common


def pytest_report_header(config):
    where = common.CORPUS_ROOT if common.CORPUS_ROOT else "NOT FOUND (corpus tests will skip)"
    strict = "on: missing peers fail" if common.STRICT else "off: missing peers skip"
    return [f"trackpack corpus: {where}", f"trackpack strict mode: {strict}"]
