// The peer of `./kindred bench api`: the Neo4j GraphQL Library on Apollo Server, over Kindred's graph.
//   node server.mjs --port P      (NEO4J_URI, KINDRED_JWT_SECRET, BENCH_NEXT_OCCURRENCE and
//                                  BENCH_CONCEPT_LINKS from the environment)
// The viewer is the subject of the same bearer JWT Kindred takes; every node type is filtered to it.
// `{ bench_statements }` answers how many Cypher statements this process has sent (the driver's run,
// counted), without sending one.
import { readFileSync } from "node:fs";
import { ApolloServer } from "@apollo/server";
import { startStandaloneServer } from "@apollo/server/standalone";
import { Neo4jGraphQL } from "@neo4j/graphql";
import neo4j from "neo4j-driver";

const port = Number(process.argv[process.argv.indexOf("--port") + 1]);
let statements = 0;
for (const cls of [neo4j.Transaction, neo4j.Session]) {
  const run = cls.prototype.run;
  cls.prototype.run = function counted(...args) {
    statements += 1;
    return run.apply(this, args);
  };
}

const typeDefs = readFileSync(new URL("./typedefs.graphql", import.meta.url), "utf8")
  .replaceAll("{{NEXT_OCCURRENCE}}", process.env.BENCH_NEXT_OCCURRENCE)
  .replaceAll("{{CONCEPT_LINKS}}", process.env.BENCH_CONCEPT_LINKS);
const driver = neo4j.driver(process.env.NEO4J_URI, neo4j.auth.basic("neo4j", "unused"), {
  disableLosslessIntegers: true,
});
const neoSchema = new Neo4jGraphQL({
  typeDefs,
  driver,
  resolvers: { Query: { bench_statements: () => statements } },
  features: { authorization: { key: process.env.KINDRED_JWT_SECRET } },
});
const server = new ApolloServer({ schema: await neoSchema.getSchema() });
await startStandaloneServer(server, {
  listen: { host: "127.0.0.1", port },
  context: async ({ req }) => ({ token: req.headers.authorization }),
});
console.log(`READY http://127.0.0.1:${port}/`);
