#!/usr/bin/env node
/**
 * The afs-cellfs command: `mount` serves the database over FUSE until a
 * signal, `lookup` resolves one cell and prints what vlservers would show.
 */
import { createRequire } from 'node:module';
import { bundledCellServDBPath } from './config/cellservdb.js';
import { AfsError, errnoNumber } from './errors.js';
import { CellFs } from './fs/cellfs.js';
import { mountCellFs } from './fs/fuse-adapter.js';
import { info, warn } from './log.js';
import { parseCommandLine, USAGE, type Options } from './options.js';
import { createDatabase } from './setup.js';
import { renderVlservers } from './vl/vl-list.js';

/** How long shutdown waits for the count-out before unmounting anyway. */
const PURGE_BOUND_MS = 5000;

const require = createRequire(import.meta.url);

async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseCommandLine(argv, bundledCellServDBPath());
  } catch (err) {
    return usageError(err);
  }
  if (parsed.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (parsed.version) {
    process.stdout.write(`afs-cellfs ${(require('../package.json') as { version: string }).version}\n`);
    return 0;
  }
  const [command, target, ...extra] = parsed.positionals;
  if (extra.length > 0) return usageError(new AfsError('EINVAL', `unexpected argument '${extra[0]}'`));
  switch (command) {
    case 'mount':
      if (!target) return usageError(new AfsError('EINVAL', 'mount needs a mountpoint'));
      return runMount(target, parsed.options);
    case 'lookup':
      if (!target) return usageError(new AfsError('EINVAL', 'lookup needs a cell name'));
      return runLookup(target, parsed.options);
    case undefined:
      return usageError(new AfsError('EINVAL', 'no command given'));
    default:
      return usageError(new AfsError('EINVAL', `unknown command '${command}'`));
  }
}

function usageError(err: unknown): number {
  process.stderr.write(`afs-cellfs: ${(err as Error).message}\nTry 'afs-cellfs --help'.\n`);
  return 2;
}

/** "No such file or directory"-style text for an errno name. */
function describe(err: unknown): string {
  if (err instanceof AfsError) return `${err.message} (${err.code}, errno ${errnoNumber(err.code)})`;
  return String(err);
}

/** `afs-cellfs lookup <cell>`: the vlservers text on stdout, exit 0; or an error, exit 1. */
async function runLookup(name: string, options: Options): Promise<number> {
  const { db } = createDatabase(options);
  let status = 0;
  try {
    const cell = await db.lookupCell(name, 'lookup');
    try {
      // A one-shot lookup wants today's answer: a cached list is only the
      // fallback when the refresh it started fails.
      if (cell.cachedAt !== null && cell.lookup) await cell.lookup;
      const list = await db.vlListFor(cell);
      process.stdout.write(renderVlservers(list, db.vlNotes(cell)));
    } finally {
      db.unuseCell(cell, 'lookup');
    }
  } catch (err) {
    process.stderr.write(`afs-cellfs: ${name}: ${describe(err)}\n`);
    status = 1;
  }
  await db.purge();
  return status;
}

/** `afs-cellfs mount <dir>`: serve until SIGINT/SIGTERM, then count out, unmount, exit 0. */
async function runMount(mountpoint: string, options: Options): Promise<number> {
  // Signals are taken from the very start: one that arrives while the root
  // cell resolves or the mount comes up still ends in a clean count-out.
  let signalled: string | null = null;
  let onSignal: (signal: string) => void = (signal) => {
    signalled ??= signal;
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => onSignal(signal));

  const { db, staticCells } = createDatabase(options);
  const fs = new CellFs(db);
  const abandon = async (message: string): Promise<number> => {
    await db.purge();
    if (signalled) {
      info(`${signalled}: shut down before the mount was up`);
      return 0;
    }
    process.stderr.write(message);
    return 1;
  };
  onSignal = (signal) => {
    signalled ??= signal;
    void db.purge(); // aborts whatever start-up is waiting for
  };
  if (options.rootcell) {
    try {
      await db.setRootCell(options.rootcell);
    } catch (err) {
      return abandon(`afs-cellfs: --rootcell ${options.rootcell}: ${describe(err)}\n`);
    }
  }
  if (options.preload) {
    for (const cell of staticCells.all()) {
      if (!db.live) break;
      await db.pinCell(cell.name, 'preload').catch((err: unknown) => warn(`preload ${cell.name}: ${describe(err)}`));
    }
  }
  if (signalled) return abandon('');
  let mounted;
  try {
    mounted = await mountCellFs(mountpoint, fs, {
      allowOther: options.allowOther,
      onError: (code) => db.stats.countError(code),
      log: warn,
    });
  } catch (err) {
    return abandon(`afs-cellfs: cannot mount on ${mountpoint}: ${describe(err)}\n`);
  }
  const mount = mounted;
  info(`mounted on ${mount.mountpoint} (${staticCells.size} cells in CellServDB, DNS ${options.dns ? 'on' : 'off'})`);

  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (reason: string): void => {
      if (stopping) return;
      stopping = true;
      info(`${reason}: shutting down`);
      fs.shutdown();
      const bound = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), PURGE_BOUND_MS).unref());
      void Promise.race([db.purge().then(() => 'done' as const), bound])
        .then((how) => {
          if (how === 'timeout') warn(`count-out incomplete after ${PURGE_BOUND_MS} ms: ${db.registry.size} records left`);
          return mount.unmount();
        })
        .then(
          () => resolve(0),
          (err: unknown) => {
            warn(`unmount failed: ${describe(err)}`);
            resolve(1);
          },
        );
    };
    onSignal = stop;
    if (signalled) stop(signalled); // arrived while mounting
    void mount.lost.then(() => stop('unmounted from outside'));
  });
}

// A daemon serving a mount must not die of one bad request: log loudly and
// keep serving (every request path answers through its own error handler;
// reaching these is a bug).
process.on('unhandledRejection', (err) => warn(`BUG: unhandled rejection: ${describe(err)}`));
process.on('uncaughtException', (err) => warn(`BUG: uncaught exception: ${err.stack ?? describe(err)}`));
// Node opens its inspector on SIGUSR1: in a daemon running as root that is
// a root shell for any local user.  A listener of our own disables it.
for (const signal of ['SIGUSR1', 'SIGUSR2'] as const) {
  process.on(signal, () => warn(`${signal} ignored`));
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`afs-cellfs: ${describe(err)}\n`);
    process.exit(1);
  },
);
