"""What Kindred makes from what it knows, as pure functions of what the graph read (no I/O): the gift
ranking (gift_ranking.py) and the persona mappers (persona_mappers.py). Resolvers feed them and write
what they make through graph/; the benches run them directly."""
