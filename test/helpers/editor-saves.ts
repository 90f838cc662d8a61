import { rename, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** The ways editors save a file, each as it happens on disk. */
export const EDITOR_SAVES = {
  /** nano, many IDEs with safe-write off: truncate and write the same inode. */
  'in place': (file: string, text: string) => writeFile(file, text),
  /** VS Code, JetBrains "safe write": write a temp file beside it, rename it over the original. */
  'write temp then rename': async (file: string, text: string) => {
    const temp = join(dirname(file), `.${basename(file)}.${process.pid}.tmp`);
    await writeFile(temp, text);
    await rename(temp, file);
  },
  /** vim (backupcopy=no): move the original to a backup, write a new file, delete the backup. */
  'vim backup and rename': async (file: string, text: string) => {
    const backup = `${file}~`;
    await rename(file, backup);
    await writeFile(file, text);
    await unlink(backup);
  },
  /** Some tools and scripts: delete, then create anew. */
  'delete and recreate': async (file: string, text: string) => {
    await unlink(file);
    await writeFile(file, text);
  },
} as const;

export type SaveStyle = keyof typeof EDITOR_SAVES;

