import { serve } from '../app/serve.js';
import type { StartSettings } from '../instance/instance-args.js';
import { terminalLogger } from './terminal.js';

/** `devtls serve --exit-when-idle …` as `devtls up` starts it; resolves with the exit code. */
export function runBackgroundInstance(settings: StartSettings): Promise<number> {
  return serve({ ...settings, background: true, logger: terminalLogger });
}
