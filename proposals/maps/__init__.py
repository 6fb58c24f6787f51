"""Proposal maps: public map pages, their embedded documents and the GeoJSON API."""
