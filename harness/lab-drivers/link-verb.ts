/** `hitless link up|down|status CABLE`. */
import { linkFor } from './from-lab.ts';
import { openLab, refuseIfLeasedByOther } from './lab-options.ts';

export async function linkVerb(
  action: 'up' | 'down' | 'status',
  cable: string,
  opts: { lab?: string; json?: boolean },
): Promise<void> {
  const lab = openLab(opts.lab);
  const link = linkFor(lab, cable);
  try {
    if (action !== 'status') {
      refuseIfLeasedByOther(lab);
      await link[action]();
    }
    const s = await link.status();
    if (opts.json) process.stdout.write(`${JSON.stringify({ cable, ...s })}\n`);
    else process.stdout.write(`${cable}: admin ${s.admin}, carrier ${s.oper}\n`);
  } finally {
    link.close();
  }
}
