// node subscribe.mjs WS_URL TOKEN SINCE COUNT: subscribes to graphChanged(since: SINCE) with graphql-ws's own client
// (graphql-transport-ws), prints "ready" once acknowledged, then each delta received as one JSON line,
// and exits after COUNT of them.
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';

const [url, token, since, count] = process.argv.slice(2);
const client = createClient({
  url,
  webSocketImpl: WebSocket,
  connectionParams: { authorization: `Bearer ${token}` },
  retryAttempts: 0,
  on: { connected: () => console.log('ready') },
});
const query = `subscription ($since: Int) {
  graphChanged(since: $since) { sequence kind nodesAdded { __typename id ... on Recipient { name } } }
}`;
let left = Number(count);
const deltas = client.iterate({ query, variables: { since: Number(since) } });
const timer = setTimeout(() => { console.error('timed out'); process.exit(2); }, 60000);
try {
  for await (const result of deltas) {
    console.log(JSON.stringify(result));
    left -= 1;
    if (left === 0) break;
  }
} catch (error) {
  console.error(JSON.stringify(error));
  process.exit(1);
}
clearTimeout(timer);
await client.dispose();
