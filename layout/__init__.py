"""The 3D view's layout maths, pure and without I/O: the force layout (forces.py) and the analytics that
size, group and cut the graph (analytics.py). graph/view.py reads and keeps what these compute;
dispatch/layout.py runs them after commits, resolvers/view.py at read time."""
