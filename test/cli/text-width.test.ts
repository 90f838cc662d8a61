import test from 'ava';
import stringWidth from 'string-width';
import textWidth from '../../dist/cli/text-width.js';

// The bundled CLI lays out yargs's help with textWidth instead of string-width: it must
// agree with string-width on the text devtls prints, and stay sensible elsewhere.
const samples = [
  '',
  'devtls up --https-port 8443',
  'https://app.localhost → http://127.0.0.1:8080',
  'Folder of the local CA [default: $DEVTLS_CA_DIR, else the per-user data folder]',
  '\u001b[1mbold\u001b[22m and \u001b[32mgreen\u001b[39m',
  'Stopping devtls…',
  '× 1.5',
  '日本語のテキスト',
  '한국어',
  'ｆｕｌｌｗｉｄｔｈ',
  'e\u0301 combining',
  'zero\u200bwidth',
  '🔒 padlock',
  'tab\there',
];

for (const sample of samples) {
  test(`textWidth matches string-width: ${JSON.stringify(sample)}`, (t) => {
    t.is(textWidth(sample), stringWidth(sample));
  });
}

test('textWidth of a non-string is 0, as string-width', (t) => {
  t.is(textWidth(undefined), 0);
  t.is(textWidth(42), 0);
});
