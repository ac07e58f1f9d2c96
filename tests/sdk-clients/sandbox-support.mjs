// What the SDK scripts share: the sandbox's control API, and a merchant endpoint on a free local port that the
// sandbox's callbacks reach.
// Input (environment): SANDBOX_CONTROL, the control API's base URL.
import http from "node:http";
import assert from "node:assert/strict";

// Calls the control API; the answer must be a 2xx. Returns the parsed JSON, or the text of any other answer (a pay page).
export async function control(method, path, body) {
  const res = await fetch(process.env.SANDBOX_CONTROL + path, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  assert.ok(res.ok, `${method} ${path} answered ${res.status}: ${text}`);
  return (res.headers.get("content-type") ?? "").includes("json") ? JSON.parse(text) : text;
}

// Answers every callback with `status` and `text`, and keeps each ({ headers, body } as received) for next(), in order.
export async function receiver({ status = 200, text = "" } = {}) {
  const received = [];
  const waiters = [];
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      res.writeHead(status).end(text);
      const hook = { headers: req.headers, body: Buffer.concat(chunks).toString("utf8") };
      const waiter = waiters.shift();
      if (waiter) waiter(hook); else received.push(hook);
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: (path) => `http://127.0.0.1:${server.address().port}${path}`,
    next: () => received.length ? Promise.resolve(received.shift()) : new Promise((resolve) => waiters.push(resolve)),
    get pending() { return received.length; },
    close: () => server.close(),
  };
}
