import test from 'ava';
import { BLOCK_BEGIN, BLOCK_END, HostsFileError, addressesIn, blockNames, loopbackLines, parseHostsFile, readBlock, withBlock, withoutBlock } from '../../dist/hosts/hosts-file.js';

const DEBIAN_HOSTS = '127.0.0.1\tlocalhost\n127.0.1.1\tlaptop\n\n# The following lines are desirable for IPv6 capable hosts\n::1     localhost ip6-localhost ip6-loopback\nff02::1 ip6-allnodes\n';

test('parse: address lines with several names, comments and blank lines skipped, names lower-cased', (t) => {
  t.deepEqual(parseHostsFile(`${DEBIAN_HOSTS}10.0.0.5 Build.Corp build # the build box\nnot-an-address foo\n`), [
    { address: '127.0.0.1', names: ['localhost'] },
    { address: '127.0.1.1', names: ['laptop'] },
    { address: '::1', names: ['localhost', 'ip6-localhost', 'ip6-loopback'] },
    { address: 'ff02::1', names: ['ip6-allnodes'] },
    { address: '10.0.0.5', names: ['build.corp', 'build'] },
  ]);
  t.deepEqual(addressesIn(DEBIAN_HOSTS, 'LOCALHOST'), ['127.0.0.1', '::1']);
  t.deepEqual(addressesIn(DEBIAN_HOSTS, 'app.test'), []);
});

test('loopback lines: IPv4 and IPv6 for each name', (t) => {
  t.deepEqual(loopbackLines(['app.test', 'api.test']), ['127.0.0.1 app.test', '::1 app.test', '127.0.0.1 api.test', '::1 api.test']);
});

test('write appends a marked block and leaves every other line byte for byte; remove gives the original back', (t) => {
  const written = withBlock(DEBIAN_HOSTS, loopbackLines(['app.test']));
  t.is(written, `${DEBIAN_HOSTS}${BLOCK_BEGIN}\n127.0.0.1 app.test\n::1 app.test\n${BLOCK_END}\n`);
  t.deepEqual(readBlock(written), ['127.0.0.1 app.test', '::1 app.test']);
  t.deepEqual(blockNames(written), ['app.test']);
  t.deepEqual(addressesIn(written, 'app.test'), ['127.0.0.1', '::1']);
  t.is(withoutBlock(written), DEBIAN_HOSTS);
});

test('write replaces the block where it is (lines after it stay after it); an empty block removes it', (t) => {
  const original = `127.0.0.1 localhost\n${BLOCK_BEGIN}\n127.0.0.1 old.test\n${BLOCK_END}\n10.1.1.1 nas # after ours\n`;
  const replaced = withBlock(original, ['127.0.0.1 new.test']);
  t.is(replaced, `127.0.0.1 localhost\n${BLOCK_BEGIN}\n127.0.0.1 new.test\n${BLOCK_END}\n10.1.1.1 nas # after ours\n`);
  t.is(withBlock(original, []), '127.0.0.1 localhost\n10.1.1.1 nas # after ours\n');
  t.is(withoutBlock(original), '127.0.0.1 localhost\n10.1.1.1 nas # after ours\n');
});

test('Windows line endings are kept; a file without a final newline gets one before the block', (t) => {
  const crlf = '127.0.0.1 localhost\r\n::1 localhost\r\n';
  const written = withBlock(crlf, ['127.0.0.1 app.test']);
  t.is(written, `127.0.0.1 localhost\r\n::1 localhost\r\n${BLOCK_BEGIN}\r\n127.0.0.1 app.test\r\n${BLOCK_END}\r\n`);
  t.is(withoutBlock(written), crlf);
  t.is(withBlock('127.0.0.1 localhost', ['127.0.0.1 app.test']), `127.0.0.1 localhost\n${BLOCK_BEGIN}\n127.0.0.1 app.test\n${BLOCK_END}\n`);
  t.is(withBlock('', ['127.0.0.1 app.test']), `${BLOCK_BEGIN}\n127.0.0.1 app.test\n${BLOCK_END}\n`);
});

test('removing when there is no block changes nothing; a begin marker without an end is refused, never guessed', (t) => {
  t.is(withoutBlock(DEBIAN_HOSTS), DEBIAN_HOSTS);
  const broken = `${DEBIAN_HOSTS}${BLOCK_BEGIN}\n127.0.0.1 app.test\n10.0.0.1 mine\n`;
  t.throws(() => withoutBlock(broken), { instanceOf: HostsFileError });
  t.throws(() => withBlock(broken, ['127.0.0.1 x.test']), { instanceOf: HostsFileError });
});

test('marker lines are matched whole: a comment that merely mentions devtls is another line', (t) => {
  const text = `# devtls begins here, said someone\n127.0.0.1 localhost\n`;
  t.is(withoutBlock(text), text);
  t.is(withoutBlock(withBlock(text, ['127.0.0.1 a.test'])), text);
});
