"""Task definitions: what a task YAML may say (`spec`), every task and benchmark YAML loaded
strictly and looked up by name (`registry`, `yaml_loader`), the rows `cmteb list` prints."""
