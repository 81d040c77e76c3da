// One round of the client benchmark (bench/README.md, part "library") with xmpp.js, the independent client that
// Aspire.Prosody.Client is measured against. The same work as the .NET side: N accounts sign in at once (STARTTLS,
// the certificate validated through NODE_EXTRA_CA_CERTS, SCRAM-SHA-1, bind), each sends initial presence, then each
// sends M messages to the next account in a ring; prints one JSON line with the figures.
// Usage: node --expose-gc run.mjs HOST PORT DOMAIN PASSWORD CLIENTS MESSAGES
import { client, xml } from "@xmpp/client";

const [host, port, domain, password, clientsArg, messagesArg] = process.argv.slice(2);
const clients = Number(clientsArg);
const messagesPerClient = Number(messagesArg);
const userName = (i) => `user${String(i).padStart(3, "0")}`;

function memory() {
  globalThis.gc();
  const m = process.memoryUsage();
  return { rss: m.rss, heap: m.heapUsed + m.external };
}

const before = memory();
const sessions = Array.from({ length: clients }, (_, i) =>
  // xmpp.js computes SCRAM's PBKDF2 (10,000 rounds) in JavaScript on the one event loop, about 2 s a sign-in here, so
  // concurrent sign-ins queue behind each other: its default of 2 s per step would fail them, so each step may take 10 min.
  client({ service: `xmpp://${host}:${port}`, domain, username: userName(i), password, resource: "bench", timeout: 600000 }));
let received = 0;
let allReceived;
const done = new Promise((resolve) => (allReceived = resolve));
for (const session of sessions) {
  session.on("error", (e) => console.error(`xmppjs: ${e.message}`));
  session.on("stanza", (stanza) => {
    if (stanza.is("message") && stanza.getChildText("body") !== null && ++received === clients * messagesPerClient) {
      allReceived();
    }
  });
}

const signInStarted = performance.now();
await Promise.all(sessions.map((s) => s.start()));
const signInSeconds = (performance.now() - signInStarted) / 1000;
const connected = memory();
await Promise.all(sessions.map((s) => s.send(xml("presence"))));

const sendStarted = performance.now();
await Promise.all(sessions.map(async (s, i) => {
  const to = `${userName((i + 1) % clients)}@${domain}`;
  for (let n = 0; n < messagesPerClient; n++) {
    await s.send(xml("message", { to, type: "chat", id: `${i}-${n}` }, xml("body", {}, `message ${n} from ${i} `.padEnd(1024, "x"))));
  }
}));
await done;
const messageSeconds = (performance.now() - sendStarted) / 1000;

await Promise.all(sessions.map((s) => s.stop()));
console.log(JSON.stringify({
  loginsPerSecond: clients / signInSeconds,
  messagesPerSecond: (clients * messagesPerClient) / messageSeconds,
  bytesPerConnection: (connected.heap - before.heap) / clients,
  residentBytesPerConnection: (connected.rss - before.rss) / clients,
}));
