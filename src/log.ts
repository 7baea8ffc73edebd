/** Messages to stderr, prefixed with the program name so they stand out in a shell. */
export function warn(message: string): void {
  process.stderr.write(`afs-cellfs: warning: ${message}\n`);
}

export function info(message: string): void {
  process.stderr.write(`afs-cellfs: ${message}\n`);
}

export function debug(line: string): void {
  process.stderr.write(`afs-cellfs: debug: ${line}\n`);
}
