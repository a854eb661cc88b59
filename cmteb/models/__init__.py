"""Models: a `--model` argument -> `ResolvedModel` (`resolve`, `registry`, `checkpoint`), the
adapters that run each kind (`contract`), and the text policy and caching every call goes through."""
