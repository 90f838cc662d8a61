/** Thrown by a command whose exit code is not success or a user error: `devtls run` passes on its child's. */
export class ExitWith extends Error {
  readonly exitCode: number;

  constructor(exitCode: number) {
    super(`exit ${exitCode}`);
    this.exitCode = exitCode;
  }
}
