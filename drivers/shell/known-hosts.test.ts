import { createHmac } from 'node:crypto';
import test from 'ava';
import { keysFor } from './known-hosts.ts';

const KEY_A = Buffer.from('key-a-blob').toString('base64');
const KEY_B = Buffer.from('key-b-blob').toString('base64');

function hashed(name: string): string {
  const salt = Buffer.from('0123456789abcdefghij');
  const mac = createHmac('sha1', salt).update(name).digest('base64');
  return `|1|${salt.toString('base64')}|${mac}`;
}

test('plain, comma-separated, bracketed-port and hashed host fields', (t) => {
  const text = [
    '# lab hosts',
    `198.18.0.10,rp0 ssh-ed25519 ${KEY_A}`,
    `[198.18.0.10]:2222 ssh-ed25519 ${KEY_B}`,
    `${hashed('198.18.0.21')} ecdsa-sha2-nistp256 ${KEY_B} peer1`,
    '',
  ].join('\n');
  t.deepEqual(
    keysFor(text, 'rp0').map((k) => k.blob.toString()),
    ['key-a-blob'],
  );
  t.deepEqual(
    keysFor(text, '198.18.0.10', 2222).map((k) => k.blob.toString()),
    ['key-b-blob'],
  );
  const peer = keysFor(text, '198.18.0.21');
  t.is(peer.length, 1);
  t.is(peer[0]!.type, 'ecdsa-sha2-nistp256');
  t.deepEqual(keysFor(text, '198.18.0.99'), []);
});

test('@revoked keys are marked', (t) => {
  const k = keysFor(`@revoked rp0 ssh-ed25519 ${KEY_A}`, 'rp0');
  t.true(k[0]!.revoked);
});
