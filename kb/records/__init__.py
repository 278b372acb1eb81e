"""Records: reading what agencies send.

Takes files (Turtle, N-Triples, JSON, JSON-LD, CSV tables), stdin or the on-disk store; gives a `Batch` of record
graphs, one per source, with the input errors found while reading them (`load.read`). The bundled JSON-LD context
(`context.jsonld`) and the CSV mappings (`mappings/`) are the only things a record is read through; `store` keeps
loaded batches as versions of an Oxigraph store.
"""
