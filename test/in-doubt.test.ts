import assert from 'node:assert/strict';
import { test } from 'node:test';
import { classifyError, inDoubtTotal } from '../src/metrics/errors.js';

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

test("MySQL's codes: a connection lost or killed under a statement, or timed out by mysql2, is in doubt; a refused one or a server error is not", () => {
  const errors = {
    PROTOCOL_CONNECTION_LOST: { count: 2, sample: 'Connection lost: The server closed the connection.' },
    ER_SERVER_SHUTDOWN: { count: 3, sample: 'Server shutdown in progress' },
    ER_CONNECTION_KILLED: { count: 5, sample: 'Connection was killed' },
    PROTOCOL_SEQUENCE_TIMEOUT: { count: 17, sample: 'Query inactivity timeout' },
    ECONNREFUSED: { count: 7, sample: 'connect ECONNREFUSED 127.0.0.1:3306' },
    ER_DUP_ENTRY: { count: 11, sample: "Duplicate entry '1' for key 'PRIMARY'" },
    ER_LOCK_DEADLOCK: { count: 13, sample: 'Deadlock found when trying to get lock' },
  };
  assert.equal(inDoubtTotal(errors), 2 + 3 + 5 + 17);
});

test('errors are classed by SQLSTATE for PostgreSQL and by code name for MySQL; EPIPE is not a SQLSTATE', () => {
  const coded = (code: string): Error => Object.assign(new Error('x'), { code });
  assert.equal(classifyError(coded('57P01')), 'SQLSTATE 57P01');
  assert.equal(classifyError(coded('EPIPE')), 'EPIPE');
  assert.equal(classifyError(coded('ER_ACCESS_DENIED_ERROR')), 'ER_ACCESS_DENIED_ERROR');
  assert.equal(classifyError(coded('PROTOCOL_CONNECTION_LOST')), 'PROTOCOL_CONNECTION_LOST');
});
