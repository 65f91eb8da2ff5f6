// The official tus server for Node (@tus/server) storing into a folder (@tus/file-store), on
// loopback: what the enroll-interop tests upload to with the station's own client
// (crate enroll-sync), to show that client speaks tus as the reference server reads it.
//
//   node tus-server.mjs --directory DIR [--port N] [--path /v1/uploads]
//
// Port 0 (the default) takes a free one. Prints one JSON object a line on stdout:
//   {"event":"listening","port"}          ready for requests
//   {"event":"finished","id","size"}      an upload received its last byte
// It stops when its standard input closes, so it never outlives the test that started it.

import { createServer } from 'node:http';
import { parseArgs } from 'node:util';

import { FileStore } from '@tus/file-store';
import { EVENTS, Server } from '@tus/server';

const { values: args } = parseArgs({
  options: {
    directory: { type: 'string' },
    port: { type: 'string', default: '0' },
    // The station's client sends its uploads to <base URL>/v1/uploads.
    path: { type: 'string', default: '/v1/uploads' },
  },
});
if (args.directory === undefined) {
  process.stderr.write('tus-server: --directory is required\n');
  process.exit(1);
}

function emit(event) {
  process.stdout.write(`${JSON.stringify(event)}\n`);
}

const tus = new Server({
  path: args.path,
  datastore: new FileStore({ directory: args.directory }),
});
tus.on(EVENTS.POST_FINISH, (_request, _response, upload) => {
  emit({ event: 'finished', id: upload.id, size: upload.size });
});

const server = createServer((request, response) => tus.handle(request, response));
server.listen(Number(args.port), '127.0.0.1', () => {
  emit({ event: 'listening', port: server.address().port });
});

process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
