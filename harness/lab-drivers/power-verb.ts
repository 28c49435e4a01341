/** `hitless power on|off|cycle|status BOARD`. */
import type { PowerAction } from '../../drivers/power/index.ts';
import { boardOf, powerFor } from './from-lab.ts';
import { openLab, refuseIfLeasedByOther } from './lab-options.ts';

export async function powerVerb(
  action: PowerAction | 'status',
  board: string,
  opts: { lab?: string; json?: boolean },
): Promise<void> {
  const lab = openLab(opts.lab);
  boardOf(lab, board);
  if (action !== 'status') refuseIfLeasedByOther(lab);
  const power = powerFor(lab, board);
  try {
    if (action !== 'status') await power[action]();
    const state = await power.status();
    if (opts.json) process.stdout.write(`${JSON.stringify({ board, power: state })}\n`);
    else process.stdout.write(`${board}: power ${state}\n`);
  } finally {
    power.close();
  }
}
