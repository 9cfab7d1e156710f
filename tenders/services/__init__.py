"""Writes for opportunities. One module per area; import from the module, e.g.
`from tenders.services.opportunities import opportunity_publish`."""
