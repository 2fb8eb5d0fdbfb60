"""Neo4j: the driver and its transactions, schema migrations, and every Cypher query, one module per domain."""
