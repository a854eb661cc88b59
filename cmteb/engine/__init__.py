"""The encoding engine under every tokenizer-based adapter: batching, dtype, devices, caching."""
