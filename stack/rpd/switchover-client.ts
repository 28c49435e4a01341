/**
 * `hitless rpd switchover`: ask a running HA daemon for a planned switchover and wait until the
 * mate has taken over (or the handshake was aborted, or the time is up).
 */
import { RpdError } from './errors.ts';
import { requestDaemon } from './status-client.ts';

interface HaView {
  role?: string;
  sync?: string;
  epoch?: number;
  mate?: { role?: string | null; epoch?: number | null };
  switchoverInProgress?: boolean;
  switchovers?: { aborted?: number; lastAbort?: string | null };
}

export interface SwitchoverResult {
  /** This board's role before and after. */
  from: string;
  to: string;
  epoch: number;
  tookMs: number;
}

export interface SwitchoverOptions {
  timeoutMs?: number;
  pollMs?: number;
}

async function haStatus(path: string): Promise<HaView> {
  const s = (await requestDaemon(path, { cmd: 'status' })) as { ha?: HaView };
  if (!s?.ha || typeof s.ha !== 'object')
    throw new RpdError('RPD_NO_HA', `the daemon on ${path} runs without HA: no switchover`);
  return s.ha;
}

/**
 * Done when roles flipped at a higher epoch: asked on the active, it is standby and its mate
 * active; asked on the standby, it is active.
 */
export async function switchoverAndWait(
  path: string,
  opts: SwitchoverOptions = {},
): Promise<SwitchoverResult> {
  const timeoutMs = opts.timeoutMs ?? 5000;
  const pollMs = opts.pollMs ?? 20;
  const before = await haStatus(path);
  const epoch0 = before.epoch ?? 0;
  const aborted0 = before.switchovers?.aborted ?? 0;
  const started = Date.now();
  try {
    await requestDaemon(path, { cmd: 'switchover' });
  } catch (err) {
    // the daemon answered with a reason (standby not hot, IPC down, ...): the chassis said no
    if (!(err instanceof RpdError) || !err.message.includes('refused')) throw err;
    throw new RpdError('RPD_SWITCHOVER_FAILED', err.message);
  }
  let last = before;
  while (Date.now() - started < timeoutMs) {
    await new Promise((r) => setTimeout(r, pollMs));
    last = await haStatus(path);
    const epoch = last.epoch ?? 0;
    const flipped =
      before.role === 'active'
        ? last.role === 'standby' && !last.switchoverInProgress && epoch > epoch0
        : last.role === 'active' && epoch > epoch0;
    if (flipped)
      return {
        from: String(before.role),
        to: String(last.role),
        epoch,
        tookMs: Date.now() - started,
      };
    if ((last.switchovers?.aborted ?? 0) > aborted0)
      throw new RpdError(
        'RPD_SWITCHOVER_FAILED',
        `switchover aborted: ${last.switchovers?.lastAbort ?? 'no reason given'}; this board stays ${last.role}`,
      );
  }
  throw new RpdError(
    'RPD_SWITCHOVER_FAILED',
    `the mate did not take over within ${timeoutMs} ms (this board: ${last.role}, sync ${last.sync}, epoch ${last.epoch}; mate: ${last.mate?.role ?? 'unheard'})`,
  );
}
