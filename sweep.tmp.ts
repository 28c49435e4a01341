import { runSession } from './stack/tcp/sim/session.ts';
let bad = 0;
const t0 = performance.now();
for (let seed = 1000; seed < 1300; seed++) {
  const r = (k: number) => ((seed * 2654435761 + k * 40503) >>> 0) / 2 ** 32;
  const o = {
    seed, conns: 1 + (seed % 3), bytesEach: 20_000 + Math.floor(r(9) * 200_000), chunk: 1 + Math.floor(r(1) * 20000),
    isnNearWrap: seed % 2 === 0, offsets: [Math.floor(r(2) * 2 ** 40), Math.floor(r(3) * 2 ** 32)] as [number, number],
    consumeDelayMs: seed % 7 === 0 ? Math.floor(r(10) * 50) : 0,
    cfg: { sack: seed % 3 !== 0, timestamps: seed % 4 !== 0, nagle: seed % 5 !== 0, rcvBuf: seed % 6 === 0 ? 4096 + Math.floor(r(11) * 30000) : 262144, sndBuf: seed % 8 === 0 ? 8192 : 262144, delayedAckMs: seed % 9 === 0 ? 0 : 40 },
    link: { delayMs: 1 + r(4) * 20, jitterMs: r(5) * 20, loss: r(6) * 0.12, duplicate: r(7) * 0.08, reorder: r(8) * 0.15, corrupt: seed % 10 === 0 ? 0.01 : 0 },
    partition: seed % 11 === 0 ? { at: 100, forMs: 2000 + Math.floor(r(12) * 8000) } : undefined,
    limitMs: 900_000,
  };
  const res = runSession(o);
  if (!res.complete || res.problems.length) { bad++; console.log('FAIL', seed, res.complete, Math.round(res.doneAt), res.problems.slice(0, 3), JSON.stringify(o)); }
}
console.log('bad', bad, 'ms', Math.round(performance.now() - t0));
