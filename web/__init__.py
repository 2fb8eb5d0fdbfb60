"""HTTP and WebSocket: the GraphQL view and the middleware in front of it."""
