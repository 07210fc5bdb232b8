"""The catalog of powers (行政职权目录): fields, drafts, review, publication, adjustment, versions."""
