import { Server } from 'node:net';
import { describe, expect, it } from 'vitest';
import { exitCodeFor } from '../../harness/cli/main.ts';
import { FAILURE_ERROR_CODES, HarnessError, USER_ERROR_CODES, UserError, harnessErrorCode, isUserError } from '../../harness/errors.ts';
import { listenWithHandle } from '../../harness/server-handle.ts';

describe('one error model: the CLI decides by code', () => {
  it('exit 2 for every user code, 1 for every failure code, none for other errors', () => {
    for (const code of USER_ERROR_CODES) expect(exitCodeFor(new UserError(code, 'x'))).toBe(2);
    for (const code of FAILURE_ERROR_CODES) expect(exitCodeFor(new HarnessError(code, 'x'))).toBe(1);
    expect(exitCodeFor(new Error('boom'))).toBeUndefined();
    expect(exitCodeFor(Object.assign(new Error('x'), { code: 'ENOENT' }))).toBeUndefined();
  });

  it('an error from another copy of the module (not instanceof) is still judged by its code', () => {
    const foreign = Object.assign(new Error('--port 1: in use'), { name: 'UserError', code: 'HARNESS_ERR_PORT' });
    expect(harnessErrorCode(foreign)).toBe('HARNESS_ERR_PORT');
    expect(isUserError(foreign)).toBe(true);
    expect(exitCodeFor(foreign)).toBe(2);
  });

  it('a port that needs privileges is a user error naming the port', async () => {
    // As root every port binds, so the kernel's EACCES is played by the server.
    const server = new Server();
    server.listen = function (this: Server) {
      process.nextTick(() => this.emit('error', Object.assign(new Error('listen EACCES: permission denied 127.0.0.1:80'), { code: 'EACCES' })));
      return this;
    } as Server['listen'];
    await expect(listenWithHandle(server, { protocol: 'http', port: 80 })).rejects.toMatchObject({
      code: 'HARNESS_ERR_PORT',
      message: expect.stringMatching(/^port 80 on 127\.0\.0\.1 needs privileges/),
    });
  });
});
