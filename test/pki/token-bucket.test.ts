// The signing rate limit alone, on a clock the test moves.
import test from 'ava';
import { TokenBucket } from '../../dist/pki/token-bucket.js';

test('a burst at once, then the refill rate, never more than the burst saved up', (t) => {
  let now = 1000;
  const bucket = new TokenBucket({ ratePerSecond: 2, burst: 3, now: () => now });
  t.deepEqual([bucket.take(), bucket.take(), bucket.take(), bucket.take()], [true, true, true, false]);
  now += 499;
  t.false(bucket.take(), 'just under one token back');
  now += 1;
  t.true(bucket.take());
  t.false(bucket.take());
  now += 60_000; // a long quiet spell saves up only `burst`
  t.deepEqual([bucket.take(), bucket.take(), bucket.take(), bucket.take()], [true, true, true, false]);
});

test('a clock that goes backwards adds no tokens and takes none away', (t) => {
  let now = 10_000;
  const bucket = new TokenBucket({ ratePerSecond: 1, burst: 1, now: () => now });
  t.true(bucket.take());
  now -= 5_000;
  t.false(bucket.take());
  now += 1_000;
  t.true(bucket.take(), 'a second after the clock moved back, measured from there');
});

test('nonsense settings are refused', (t) => {
  t.throws(() => new TokenBucket({ ratePerSecond: 0, burst: 1 }), { instanceOf: RangeError });
  t.throws(() => new TokenBucket({ ratePerSecond: 1, burst: 0 }), { instanceOf: RangeError });
  t.throws(() => new TokenBucket({ ratePerSecond: Number.NaN, burst: 1 }), { instanceOf: RangeError });
});
