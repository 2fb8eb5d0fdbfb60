"""What is not the graph: one interface per service, one module per implementation behind it."""
