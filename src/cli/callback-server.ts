import { createServer } from 'node:https';
import type { Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** A page for the browser: a title and a sentence, rendered as a tiny self-contained HTML document. */
export interface BrowserPage {
  status: number;
  title: string;
  message: string;
}

/**
 * Called with the full URL of a request to the callback path. The server answers the browser with the page the
 * promise resolves to, so the browser can say whether the login worked once it is known.
 */
export type RedirectHandler = (url: string) => Promise<BrowserPage>;

export interface CallbackServerOptions {
  /** The callback's host (an IP address or a name this machine listens on) and port. */
  host: string;
  port: number;
  /** The callback's path without a trailing slash ('' for the origin). */
  path: string;
  key: string;
  cert: string;
  onRedirect: RedirectHandler;
}

export interface CallbackServer {
  /** The port actually listened on. */
  readonly port: number;
  close(): Promise<void>;
}

/**
 * The HTTPS server the browser is redirected to after the consent page (`https://127.0.0.1:8182/?code=…`).
 * Only GET requests to the callback path reach `onRedirect`; anything else (a favicon, a stray path) gets a 404.
 * Pages are small, static, and forbid scripts, framing and referrers, so the code in the address bar goes nowhere.
 */
export async function startCallbackServer(options: CallbackServerOptions): Promise<CallbackServer> {
  const sockets = new Set<Socket>();
  const inflight = new Set<Promise<void>>();
  const server: Server = createServer({ key: options.key, cert: options.cert }, (req, res) => {
    const handled = handle(req, res, options).finally(() => inflight.delete(handled));
    inflight.add(handled);
  });
  server.on('secureConnection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  // A browser that refuses the self-signed certificate aborts the handshake; that is not an error of ours.
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host.replace(/^\[|\]$/g, ''), () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    port,
    close: async () => {
      // Let the pages being answered go out first (the last one says whether the login worked).
      await Promise.allSettled([...inflight]);
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Keep-alive connections would hold the server open; the page has been sent.
        for (const socket of sockets) socket.end();
        setTimeout(() => {
          for (const socket of sockets) socket.destroy();
        }, 1_000).unref();
      });
    },
  };
}

async function handle(req: IncomingMessage, res: ServerResponse, options: CallbackServerOptions): Promise<void> {
  const requestUrl = req.url ?? '/';
  const path = requestUrl.split('?')[0]?.replace(/\/+$/, '') ?? '';
  if (req.method !== 'GET' || path !== options.path) {
    sendPage(res, {
      status: 404,
      title: 'Not found',
      message: 'This is the schwab-token-rotator login callback; nothing else lives here.',
    });
    return;
  }
  const host = options.host.includes(':') && !options.host.startsWith('[') ? `[${options.host}]` : options.host;
  let page: BrowserPage;
  try {
    page = await options.onRedirect(`https://${host}:${options.port}${requestUrl}`);
  } catch {
    page = { status: 500, title: 'Login failed', message: 'Something went wrong; see the terminal.' };
  }
  await new Promise<void>((resolve) => {
    res.on('finish', resolve);
    res.on('close', resolve);
    sendPage(res, page);
  });
}

function sendPage(res: ServerResponse, page: BrowserPage): void {
  const body =
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">' +
    `<title>${escapeHtml(page.title)}</title><style>body{font:16px/1.5 ` +
    `system-ui,sans-serif;max-width:36em;margin:4em auto;padding:0 1em}</style>` +
    `</head><body><h1>${escapeHtml(page.title)}</h1><p>${escapeHtml(page.message)}</p></body></html>\n`;
  res.writeHead(page.status, {
    'Content-Type': 'text/html; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(body)),
    'Cache-Control': 'no-store',
    'Referrer-Policy': 'no-referrer',
    'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
    'X-Content-Type-Options': 'nosniff',
    Connection: 'close',
  });
  res.end(body);
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
