"""What Kindred tells its operators: Prometheus metrics (metrics.py), structured logs (logs.py) and
OpenTelemetry traces (tracing.py, off unless an exporter is set). It imports nothing of Kindred's, so
every layer (graph/, dispatch/, web/, schema/) may report through it."""
