// The peer of `./kindred bench api`: the Neo4j GraphQL Library on Apollo Server, over Kindred's graph.
//   node server.mjs --port P [--mode authorization|where]   (NEO4J_URI, KINDRED_JWT_SECRET,
//                                  BENCH_NEXT_OCCURRENCE and BENCH_CONCEPT_LINKS from the environment)
// Mode `authorization` (the default): the viewer is the subject of the same bearer JWT Kindred takes and
// every node type is filtered to it by `@authorization`. Mode `where`: no JWT and no `@authorization`; the
// client filters by owner with plain `where` arguments (bench/operations.py's peer_where documents).
// `{ bench_statements }` answers how many Cypher statements this process has sent (the driver's run,
// counted), without sending one.
import { readFileSync } from "node:fs";
import { ApolloServer } from "@apollo/server";
import { startStandaloneServer } from "@apollo/server/standalone";
import { Neo4jGraphQL } from "@neo4j/graphql";
import neo4j from "neo4j-driver";

const option = (name, fallback) =>
  process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : fallback;
const port = Number(option("--port"));
const mode = option("--mode", "authorization");
if (!["authorization", "where"].includes(mode)) throw new Error(`unknown --mode ${mode}`);
let statements = 0;
for (const cls of [neo4j.Transaction, neo4j.Session]) {
  const run = cls.prototype.run;
  cls.prototype.run = function counted(...args) {
    statements += 1;
    return run.apply(this, args);
  };
}

let typeDefs = readFileSync(new URL("./typedefs.graphql", import.meta.url), "utf8")
  .replaceAll("{{NEXT_OCCURRENCE}}", process.env.BENCH_NEXT_OCCURRENCE)
  .replaceAll("{{CONCEPT_LINKS}}", process.env.BENCH_CONCEPT_LINKS)
  .replaceAll("{{VIEWER}}", mode === "where" ? "$owner" : "$jwt.sub");
if (mode === "where") typeDefs = typeDefs.replaceAll(/ @authorization\(filter: \[.*?\]\)/g, "");
const driver = neo4j.driver(process.env.NEO4J_URI, neo4j.auth.basic("neo4j", "unused"), {
  disableLosslessIntegers: true,
});
const neoSchema = new Neo4jGraphQL({
  typeDefs,
  driver,
  resolvers: { Query: { bench_statements: () => statements } },
  features: mode === "where" ? {} : { authorization: { key: process.env.KINDRED_JWT_SECRET } },
});
const server = new ApolloServer({ schema: await neoSchema.getSchema() });
await startStandaloneServer(server, {
  listen: { host: "127.0.0.1", port },
  context: async ({ req }) => (mode === "where" ? {} : { token: req.headers.authorization }),
});
console.log(`READY http://127.0.0.1:${port}/ (${mode})`);
