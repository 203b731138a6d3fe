/**
 * The WeCom edge bench's baseline in its own process: a bare node:http handler that does only the
 * AES decrypt + SHA1 check of a callback (no XML, no storage). Prints its port on stdout.
 */
import http from 'node:http';
import { decryptWecom } from '../../src/channels/wecom/crypto.ts';
import { isValidWecomSignature } from '../../src/channels/wecom/verify-signature.ts';
import { WECOM_APP as creds, WECOM_AES_KEY } from '../../tests/support/wecom-service.ts';

const ENCRYPT_RE = /<Encrypt><!\[CDATA\[(.*?)\]\]><\/Encrypt>/;

const server = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const q = new URL(req.url ?? '/', 'http://x').searchParams;
    const enc = ENCRYPT_RE.exec(Buffer.concat(chunks).toString())?.[1] ?? '';
    const ok = isValidWecomSignature({
      token: creds.token,
      timestamp: q.get('timestamp') ?? '',
      nonce: q.get('nonce') ?? '',
      encrypted: enc,
      signature: q.get('msg_signature') ?? '',
      nowMs: Number(q.get('timestamp')) * 1000,
    });
    if (ok) decryptWecom(WECOM_AES_KEY, enc, creds.receiveId);
    res.writeHead(ok ? 200 : 401).end();
  });
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${(server.address() as { port: number }).port}\n`);
});
