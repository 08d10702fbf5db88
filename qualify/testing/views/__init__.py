"""Qualification Testing's pages, one module per part of the annexes; urls.py names each view by its module."""
