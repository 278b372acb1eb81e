"""Remote: the pipeline run against another SPARQL 1.1 server.

Takes a server's URL (Oxigraph, Fuseki, GraphDB ...) and records read here; gives the same findings and answers as
a local run: the compiled checks and the library queries are sent to the server (`pushdown`) through a client that
never follows a redirect nor shows credentials (`endpoint`). It sits above checking and asking because it runs
both of them elsewhere.
"""
