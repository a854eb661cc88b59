"""Task data: typed split data (`types`) and its sources: a `--data-dir` folder (`local`), the
hub (`hub`, `hub_convert`), `cmteb download`, `--quick` subsamples; `loader` picks and checks."""
