import assert from 'node:assert/strict';
import { test } from 'node:test';
import { inDoubtTotal } from '../src/metrics/errors.js';

test('only failures whose connection went away after the request left are in doubt', () => {
  const errors = {
    'SQLSTATE 57P01': { count: 3, sample: 'terminating connection due to administrator command' },
    'SQLSTATE 57P03': { count: 5, sample: 'the database system is starting up' },
    ECONNREFUSED: { count: 7, sample: 'connect ECONNREFUSED 127.0.0.1:5432' },
    ECONNRESET: { count: 2, sample: 'read ECONNRESET' },
    CONNECTION_CLOSED: { count: 1, sample: 'write CONNECTION_CLOSED' },
    'SQLSTATE 23505': { count: 11, sample: 'duplicate key value violates unique constraint' },
  };
  assert.equal(inDoubtTotal(errors), 3 + 2 + 1);
  assert.equal(inDoubtTotal({}), 0);
});
