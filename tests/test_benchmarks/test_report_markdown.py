"""The Markdown table of a report stays a table whatever the reasons hold."""

from linknet_edge.benchmarks.accuracy import AccuracyReport
from linknet_edge.benchmarks.report import format_markdown
from linknet_edge.benchmarks.results import one_line
from linknet_edge.errors import BackendUnavailable
from tests.test_benchmarks.markdown_table import check_table


def test_a_code_span_cut_open_by_the_one_line_cap_is_closed():
    """``one_line`` caps a reason at 200 characters, here inside its `pip install ...` span:
    unclosed, the span would run over the following cells; a pipe would split the cell."""
    path = "/data/engines/" + "linknet_camvid_" * 8 + "fp16.engine"
    reason = one_line(BackendUnavailable(
        "{}: backend tensorrt is not available: on x86 `pip install tensorrt-cu12==10.16.1.11` "
        "| or the NGC container".format(path)))
    assert reason.count("`") == 1
    report = AccuracyReport([
        {"variant": "tensorrt-fp16", "status": "unavailable", "reason": reason},
        {"variant": "onnxruntime-fp32", "status": "ok", "miou": 61.2, "mean_ms": 80.0,
         "reason": "a | b\nsecond line"}])
    rows = check_table(format_markdown(report))
    assert rows[2][0] == "tensorrt-fp16" and rows[2][-1].endswith("`pip instal`")
    assert rows[3][-1] == "a \\| b second line"
