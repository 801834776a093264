// The backend of docs/frontend.md: serves the page and mints browser tokens.
import http from 'node:http';
import { readFile } from 'node:fs/promises';
import { createClient, mintToken } from '../../clients/js/src/index.js'; // your app: '@bbb-gateway/client'

const GATEWAY = process.env.GATEWAY_URL ?? 'http://127.0.0.1:8090';
const APP = process.env.APP_URL ?? 'http://127.0.0.1:8000'; // the page's origin, in cors.origins
const gw = createClient({ baseUrl: GATEWAY, token: process.env.BBB_GATEWAY_TOKEN }); // never sent to a page
const FILES = { '/': 'index.html', '/client.js': '../../clients/js/src/index.js',
  '/openapi-fetch.js': '../../clients/js/node_modules/openapi-fetch/dist/index.mjs' };
const user = (req) => ({ id: 'u-1', name: 'Ada Lovelace' }); // your sign-in: the session's user

http.createServer(async (req, res) => {
  try {
    if (req.method === 'POST' && req.url === '/api/token') {
      let body = '';
      for await (const chunk of req) body += chunk;
      const { meetingID } = JSON.parse(body); // your rules: may this user use it?
      const u = user(req);
      await gw.createMeeting({ name: meetingID, meetingID, logoutURL: `${APP}/?left=${meetingID}` });
      const t = await mintToken(gw, { meetingID, role: 'MODERATOR', userID: u.id, fullName: u.name,
        origins: [APP], ttl: 600 });
      res.writeHead(200, { 'Content-Type': 'application/json' });
      return res.end(JSON.stringify({ gateway: GATEWAY, token: t.token, expiresAt: t.expiresAt }));
    }
    const file = FILES[new URL(req.url, APP).pathname];
    if (req.method !== 'GET' || !file) return res.writeHead(404).end();
    const type = file.endsWith('.html') ? 'text/html' : 'text/javascript';
    res.writeHead(200, { 'Content-Type': type }).end(await readFile(new URL(file, import.meta.url)));
  } catch (e) {
    res.writeHead(e.status ?? 500, { 'Content-Type': 'application/json' }).end(JSON.stringify({ detail: e.message }));
  }
}).listen(new URL(APP).port, new URL(APP).hostname);
