"""Reading: the first stage. Enters: the input folder. Leaves: one :class:`~pipeline.ingest.reading.InputFile` per
input (path, raw bytes, content hash, the optional ``NAME.meta.json`` sidecar) and its decoded text
(:mod:`~pipeline.ingest.decoding`: BOM, HTML ``meta charset``, detection, a plausibility check). This stage
touches the disk; nothing after it does until the batch job writes the tables.
"""
