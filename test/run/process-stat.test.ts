import test from 'ava';
import { parseStat, readStat } from '../../dist/run/process-stat.js';

test('a /proc/PID/stat line: process group, terminal and its foreground group, whatever the command name holds', (t) => {
  t.deepEqual(parseStat('4242 (node) S 4200 4242 4100 34817 4242 4194560 1 0'), { pgrp: 4242, ttyNr: 34817, tpgid: 4242 });
  t.deepEqual(parseStat('77 (my (odd) name) S 1 70 70 0 -1 4194560'), { pgrp: 70, ttyNr: 0, tpgid: -1 }, 'spaces and parentheses in comm');
  t.is(parseStat('garbage'), undefined);
  t.is(parseStat('1 (x) S 0'), undefined);
});

test('this process reads its own stat on Linux, and nothing elsewhere', (t) => {
  const self = readStat('self');
  if (process.platform === 'linux') t.true(Number.isInteger(self?.pgrp) && (self?.pgrp ?? 0) > 0);
  else t.is(self, undefined);
  t.is(readStat(2 ** 30), undefined, 'a process that does not exist');
});
