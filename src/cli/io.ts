/**
 * The CLI's contact with the outside world, in one place so tests and other
 * front ends can run `main()` in-process with their own streams.
 */
export interface CliIo {
  cwd: string;
  env: Record<string, string | undefined>;
  stdout: (text: string) => void;
  /**
   * Raw bytes on stdout: `--fix --stdin-filename` prints the fixed source in its
   * own encoding. Without it, the bytes are written as UTF-8 text.
   */
  stdoutBytes?: (bytes: Uint8Array) => void;
  stderr: (text: string) => void;
  stdoutIsTty: boolean;
  /** Whether stderr is a terminal (a progress line is drawn only there); absent: it is not. */
  stderrIsTty?: boolean;
  readStdin: () => Promise<Uint8Array>;
}

let stdoutGuarded = false;

export function processIo(): CliIo {
  if (!stdoutGuarded) {
    // `pyhang check | head` closes stdout early; that is not an error worth a stack trace.
    process.stdout.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') throw error;
    });
    stdoutGuarded = true;
  }
  return {
    cwd: process.cwd(),
    env: process.env,
    stdout: (text) => {
      process.stdout.write(text);
    },
    stdoutBytes: (bytes) => {
      process.stdout.write(bytes);
    },
    stderr: (text) => {
      process.stderr.write(text);
    },
    stdoutIsTty: process.stdout.isTTY === true,
    stderrIsTty: process.stderr.isTTY === true,
    readStdin: async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      return new Uint8Array(Buffer.concat(chunks));
    },
  };
}
