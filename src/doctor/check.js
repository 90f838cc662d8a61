export const ok = (id, message) => ({ id, status: 'ok', message, fix: '' });
export const warn = (id, message, fix) => ({ id, status: 'warn', message, fix });
export const fail = (id, message, fix) => ({ id, status: 'fail', message, fix });
function quoted(value) {
    return /^[\w@%+=:,./~-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}
/** `devtls trust --store nss --ca-dir /tmp/ca`: a devtls command with the flags that apply. */
export function devtlsCommand(words, flags, which) {
    const names = { caDir: '--ca-dir', config: '--config', hostsFile: '--hosts-file' };
    const extra = which.flatMap((key) => (flags[key] === undefined ? [] : [`${names[key]} ${quoted(flags[key])}`]));
    return ['devtls', words, ...extra].join(' ');
}
//# sourceMappingURL=check.js.map