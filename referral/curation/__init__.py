"""Keeping the directory and its search vocabulary true: the curators' tools."""
