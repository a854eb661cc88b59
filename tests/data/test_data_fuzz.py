"""Fuzz: malformed JSONL/TSV (and hub tables) never raise anything but UserError."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from cmteb.data import hub_convert
from cmteb.data.local import LocalTaskFolder
from cmteb.errors import UserError

FIELDS = ["sentence1", "sentence2", "score", "label", "labels", "text", "title", "_id",
          "sentences", "query", "positive", "negative"]
IDS = ["d1", "d2", "q1", "q2"]
TYPES = ["STS", "PairClassification", "Classification", "Clustering", "Reranking", "Retrieval"]

scalars = (st.none() | st.booleans() | st.integers(-3, 3) | st.floats(allow_nan=True)
           | st.sampled_from([10**400, -(2**63), 2**64])  # beyond float and int64
           | st.sampled_from(IDS) | st.text(max_size=6))
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3)
                      | st.dictionaries(st.sampled_from(FIELDS), inner, max_size=3), max_leaves=8)
records = st.dictionaries(st.sampled_from(FIELDS), values, max_size=6)


@st.composite
def jsonl_lines(draw: st.DrawFn) -> str:
    """Mostly JSON objects, some truncated, some non-objects, some raw text; CR/LF mixed."""
    lines = []
    for _ in range(draw(st.integers(0, 5))):
        line = json.dumps(draw(records), ensure_ascii=draw(st.booleans()), allow_nan=True)
        mode = draw(st.sampled_from(["ok", "ok", "cut", "value", "raw"]))
        if mode == "cut":
            line = line[: draw(st.integers(0, len(line)))]
        elif mode == "value":
            line = json.dumps(draw(values))
        elif mode == "raw":
            line = draw(st.text(max_size=20))
        lines.append(line)
    return draw(st.sampled_from(["\n", "\r\n"])).join(lines)


@st.composite
def tsv_lines(draw: st.DrawFn) -> str:
    header = draw(st.sampled_from(["query-id\tcorpus-id\tscore", "query-id\tcorpus-id", ""]))
    cell = st.sampled_from([*IDS, "1", "0", "-1", "1.5", "x", ""]) | st.text(max_size=4)
    rows = draw(st.lists(st.lists(cell, min_size=1, max_size=4).map("\t".join), max_size=4))
    return "\n".join([header, *rows])


contents = jsonl_lines() | st.binary(max_size=40).map(lambda b: b.decode("latin-1"))


@settings(max_examples=400, deadline=None)
@given(task_type=st.sampled_from(TYPES), main=contents, train=contents, corpus=contents,
       queries=contents, qrels=tsv_lines() | st.text(max_size=30), raw=st.binary(max_size=30))
def test_local_reader_raises_only_user_errors(task_type: str, main: str, train: str,
                                              corpus: str, queries: str, qrels: str,
                                              raw: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "qrels").mkdir()
        (root / "test.jsonl").write_text(main, encoding="utf-8", errors="surrogatepass")
        (root / "train.jsonl").write_text(train, encoding="utf-8", errors="surrogatepass")
        (root / "corpus.jsonl").write_text(corpus, encoding="utf-8", errors="surrogatepass")
        (root / "queries.jsonl").write_bytes(queries.encode("utf-8", "surrogatepass") + raw)
        (root / "qrels" / "test.tsv").write_text(qrels, encoding="utf-8", errors="surrogatepass")
        try:
            LocalTaskFolder(root, task_type).read("test")
        except UserError as exc:
            assert "\n" not in str(exc)


# converter, the columns of the layout it reads (one table holds them all)
CONVERTERS = {
    "sts": (hub_convert.pair_scores_from_hub, ["sentence1", "sentence2", "score"]),
    "pairs": (hub_convert.pair_labels_from_hub, ["sent1", "sent2", "labels"]),
    "classification": (lambda t: hub_convert.labeled_texts_from_hub(t, t), ["text", "label"]),
    "clustering": (hub_convert.clustering_sets_from_hub, ["sentences", "labels"]),
    "retrieval": (lambda t: hub_convert.retrieval_from_hub(t, t, t),
                  ["_id", "title", "text", "query-id", "corpus-id", "score"]),
    "reranking": (lambda t: hub_convert.rerank_groups_from_hub(t, t, t, t),
                  ["_id", "text", "query-id", "corpus-id", "score", "corpus-ids"]),
    "rerank rows": (hub_convert.rerank_groups_from_rows, ["query", "positive", "negative"]),
}


@st.composite
def hub_tables(draw: st.DrawFn) -> tuple[str, dict]:
    """A converter and a dict table with (mostly) its columns, equal length or not."""
    kind = draw(st.sampled_from(list(CONVERTERS)))
    names = [c for c in CONVERTERS[kind][1] if draw(st.integers(0, 9))]
    n_rows = draw(st.integers(0, 3))
    table = {name: draw(st.lists(values, min_size=n_rows, max_size=n_rows + draw(
        st.sampled_from([0, 0, 0, 1])))) for name in names}
    return kind, table


@settings(max_examples=500, deadline=None)
@given(case=hub_tables())
def test_hub_conversion_raises_only_user_errors(case: tuple[str, dict]) -> None:
    kind, table = case
    try:
        CONVERTERS[kind][0](table)
    except UserError as exc:
        assert "\n" not in str(exc)
