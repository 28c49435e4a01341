/**
 * The boards' serial consoles during a run: each one logged to an artifact
 * from start to end (boot messages of every reboot included). On a real lab
 * a login on each console proves it works before anything is broken.
 */
import { join } from 'node:path';
import type { ConsoleDriver } from '../../drivers/console/console.ts';
import { login } from '../../drivers/console/session.ts';
import type { Lab } from '../lab/schema.ts';
import { consoleFor, loginOptions } from '../lab-drivers/from-lab.ts';
import { messageOf, RunnerError } from './errors.ts';
import type { Timeline } from './timeline.ts';

export interface OpenConsoles {
  logs: string[];
  close(): Promise<void>;
}

export async function openConsoles(
  lab: Lab,
  dir: string,
  timeline: Timeline,
  opts: { login: boolean },
): Promise<OpenConsoles> {
  const open: ConsoleDriver[] = [];
  const logs: string[] = [];
  for (const board of lab.boards) {
    const logFile = join(dir, `${board.name}-console.log`);
    try {
      const con = await consoleFor(lab, board.name, logFile);
      open.push(con);
      logs.push(logFile);
      if (opts.login) {
        await login(con, loginOptions(lab, board.name));
        timeline.add('harness', 'console.login', { board: board.name });
      }
    } catch (err) {
      if (opts.login)
        throw new RunnerError(
          'RUN_LAB',
          `${board.name}: console ${board.console.port}: ${messageOf(err)}`,
          err,
        );
      // Another user may hold a virtual console: the run goes on without that log.
      timeline.add('harness', 'console.unavailable', {
        board: board.name,
        message: messageOf(err),
      });
    }
  }
  return {
    logs,
    async close() {
      await Promise.all(open.map((c) => c.close().catch(() => undefined)));
    },
  };
}
