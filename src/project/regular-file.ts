/**
 * Reading files that someone else controls. A path that held a Python file or
 * a pyproject.toml at discovery may be a named pipe by the time it is read (no
 * writer ever comes: a blocking open or read waits forever), or a device such
 * as /dev/zero (a read never ends). So every file pyhang reads on a user's
 * behalf is opened without blocking (O_NONBLOCK; on a regular file it changes
 * nothing), checked to be a regular file on the descriptor it will read (no
 * window for a swap between the check and the read), and read up to a limit.
 */
import fs from 'node:fs';

/** `code` of the error thrown for a path that is not a regular file (a pipe, a device, a socket, a directory). */
export const NOT_REGULAR_FILE = 'ENOTREGULAR';
/** `code` of the error thrown for a file over the limit given to readRegularFile. */
export const FILE_TOO_LARGE = 'EFILETOOLARGE';

/** O_NONBLOCK where the platform has it (not on Windows, which has no named pipes in the file system either). */
const OPEN_FLAGS = fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0);

/**
 * Opens `file` for reading, never blocking, and returns the descriptor with its
 * stat; throws (the open's own error, or one with code NOT_REGULAR_FILE) unless
 * it is a regular file. The caller closes the descriptor.
 */
export function openRegularFile(file: string): { fd: number; stat: fs.Stats } {
  const fd = fs.openSync(file, OPEN_FLAGS);
  let stat: fs.Stats;
  try {
    stat = fs.fstatSync(fd);
  } catch (error) {
    fs.closeSync(fd);
    throw error;
  }
  if (!stat.isFile()) {
    fs.closeSync(fd);
    // A directory keeps the code reading it would have given.
    throw stat.isDirectory() ? codedError('EISDIR', `is a directory: ${file}`) : codedError(NOT_REGULAR_FILE, `not a regular file: ${file}`);
  }
  return { fd, stat };
}

/**
 * A regular file's bytes, read through openRegularFile; more than `maxBytes`
 * throws an error with code FILE_TOO_LARGE (the file may grow while it is read,
 * so the limit holds for what is read, not only for the size it had).
 */
export function readRegularFile(file: string, maxBytes = Infinity): Buffer {
  const { fd, stat } = openRegularFile(file);
  try {
    if (stat.size > maxBytes) throw codedError(FILE_TOO_LARGE, `larger than ${maxBytes} bytes: ${file}`);
    const chunks: Buffer[] = [];
    let total = 0;
    const chunkSize = Math.min(Math.max(stat.size + 1, 1 << 12), 1 << 20);
    for (;;) {
      const chunk = Buffer.allocUnsafe(chunkSize);
      const read = fs.readSync(fd, chunk, 0, chunk.length, null);
      if (read === 0) break;
      total += read;
      if (total > maxBytes) throw codedError(FILE_TOO_LARGE, `larger than ${maxBytes} bytes: ${file}`);
      chunks.push(read === chunk.length ? chunk : chunk.subarray(0, read));
    }
    return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total);
  } finally {
    fs.closeSync(fd);
  }
}

function codedError(code: string, message: string): NodeJS.ErrnoException {
  const error: NodeJS.ErrnoException = new Error(message);
  error.code = code;
  return error;
}
