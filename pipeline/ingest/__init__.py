"""Reading: the first stage. Enters: the input folder. Leaves: one :class:`~pipeline.ingest.reading.InputFile` per
input (path, raw bytes, content hash, the optional ``NAME.meta.json`` sidecar) and its decoded text
(:mod:`~pipeline.ingest.decoding`: BOM, HTML ``meta charset``, detection, a plausibility check). An export
(.csv/.tsv/.json/.jsonl/.xlsx) is one input per record (:mod:`~pipeline.ingest.exports`). This stage
touches the disk (and, for :mod:`~pipeline.ingest.fetch`, the network: ``pipeline fetch`` fills the input folder
from the feeds, sitemaps and pages named in a sources file, :mod:`~pipeline.ingest.sources`); nothing after it
does until the batch job writes the tables.
"""
