// Test fixture: takes a lease, prints "held", and holds it until killed.
import { Lease } from './lease.ts';

const [file, ttl] = process.argv.slice(2);
Lease.acquire({
  file: file!,
  lab: 'test-lab',
  owner: 'holder-proc',
  ttlMs: Number(ttl),
  renewMs: 100,
});
process.stdout.write('held\n');
setInterval(() => {}, 1000);
