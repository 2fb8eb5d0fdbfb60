// node audit.mjs URL: runs graphql-http's server audit against URL and prints its results as JSON.
import { auditServer } from 'graphql-http';

const url = process.argv[2];
const results = await auditServer({ url });
const plain = results.map((r) => ({ id: r.id, name: r.name, status: r.status, reason: r.reason ?? null }));
console.log(JSON.stringify(plain));
