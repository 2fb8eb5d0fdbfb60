"""Neo4j: the driver and its transactions, schema migrations, and the Cypher queries, one module a domain."""
