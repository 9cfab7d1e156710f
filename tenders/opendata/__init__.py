"""Open data in and out: readers for TED eForms notices, OCDS releases and EU funding calls
(each turns a source document into an `ImportItem`, without touching the database), and the
OCDS, CSV, feed and calendar exports. Writes happen in `tenders.services.imports`."""
