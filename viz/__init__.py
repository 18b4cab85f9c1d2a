"""Interactive graphs researchers can click through (vis-network, bundled with pyvis).

    model   plain Node / Edge / Subgraph dataclasses, the only thing the other modules share
    select  subgraph selection: SPARQL through the store → a Subgraph (no HTML here)
    layout  deterministic positions computed once in Python for large graphs
    render  the only module that produces HTML; it owns escaping and the offline assets

Views: the plan overview, the cross-plan view (gk:relatedTo links and gk:Conflict
findings), the neighbourhood of any entity, and the graph of any CONSTRUCT query.
"""
