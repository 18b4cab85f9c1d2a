"""The web service: SPARQL endpoint, REST API, entity pages and the query page.

Kept import-free so query worker processes start without loading the web framework.
"""
