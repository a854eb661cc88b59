"""Regression checking: compare two result sets task by task and decide (`cmteb compare`)."""
