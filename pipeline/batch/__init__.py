"""The nightly batch job. Enters: an input folder and a tables folder. Leaves: Parquet tables under the tables
folder, written atomically and incrementally (:mod:`~pipeline.batch.runner` decides what to process from the
manifest, :mod:`~pipeline.batch.engines` runs :func:`pipeline.document.process_files` in local processes or on
Dask, :mod:`~pipeline.batch.storage` stages parts and commits them through a journal,
:mod:`~pipeline.batch.locking` keeps one run at a time, :mod:`~pipeline.batch.compact` merges parts).
"""
