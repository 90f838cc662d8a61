import type { CommandResult, CommandRunner, RunOptions } from '../../dist/trust/command-runner.js';

export interface RecordedCall {
  argv: string[];
  elevated: boolean;
}

/**
 * Stands in for the operating system's tools on platforms this machine is not (macOS,
 * Windows, WSL): records every command a store module would run and answers with recorded
 * output. The module under test is real; only `security`/`certutil.exe` are replayed.
 */
export function recordingRunner(reply: (argv: readonly string[]) => Partial<CommandResult> | undefined, programs: readonly string[] = []): CommandRunner & { calls: RecordedCall[] } {
  const calls: RecordedCall[] = [];
  return {
    calls,
    async run(argv: readonly string[], options: RunOptions = {}) {
      calls.push({ argv: [...argv], elevated: options.elevated === true });
      const answer = reply(argv);
      return { code: answer?.code ?? (answer === undefined ? 127 : 0), stdout: answer?.stdout ?? '', stderr: answer?.stderr ?? '' };
    },
    async has(program: string) {
      return programs.includes(program);
    },
  };
}
